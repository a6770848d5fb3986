"""The ``cartagena`` command: ingest, serve, search, eval.

Domain errors become one-line messages here, never tracebacks; so does a bad
``CARTAGENA_*`` value, before any command starts (exit code 2).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from cartagena.errors import CartagenaError, EmptyCorpusError
from cartagena.logs import configure as configure_logging
from cartagena.settings import Settings, describe_error, get_settings

log = logging.getLogger("cartagena")


def _ingest(args: argparse.Namespace) -> int:
    from service import indexing

    settings = get_settings()
    try:
        report = indexing.build(Path(args.corpus), Path(args.index), settings)
    except EmptyCorpusError as exc:
        log.error("%s", exc)
        return 1
    sys.stdout.write("\n".join(indexing.summary(report, Path(args.index))) + "\n")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    if args.workers <= 1:
        app = create_app(Path(args.index), get_settings())
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
        return 0
    # workers are processes that import the app: they learn the index from the environment
    os.environ["CARTAGENA_INDEX_DIR"] = str(Path(args.index).resolve())
    cores = os.cpu_count() or 1
    os.environ.setdefault("CARTAGENA_TORCH_THREADS", str(max(1, cores // args.workers)))
    uvicorn.run(
        "api.factory:app_from_env",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
    )
    return 0


def _search(args: argparse.Namespace) -> int:
    from index.models import Filters
    from search.loader import load_searcher
    from service import queries as usecases

    searcher = load_searcher(Path(args.index), get_settings())
    filters = Filters(
        doc_ids=tuple(args.doc or ()),
        year_from=args.year_from,
        year_to=args.year_to,
        kinds=tuple(args.kind or ()),
        languages=tuple(args.lang or ()),
    )
    # the API's search use case, without highlights (the output has no use for them)
    hits = usecases.search(searcher, args.query, args.k, args.mode, filters, marks=False).hits
    if args.json:
        sys.stdout.write(
            json.dumps([h.__dict__ for h in hits], indent=2, ensure_ascii=False) + "\n"
        )
        return 0
    out = []
    for h in hits:
        out.append(f"{h.rank:>2}. [{h.score:.3f}] {h.citation}  ({h.passage_id})")
        out.append("    " + h.text.replace("\n", " ")[:400])
    sys.stdout.write("\n".join(out or ["no results"]) + "\n")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from evals.cli import run_eval

    return run_eval(args)


def build_parser() -> argparse.ArgumentParser:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="cartagena", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="build and publish an index from a corpus directory")
    p.add_argument("--corpus", default=str(settings.corpus_dir))
    p.add_argument("--index", default=str(settings.index_dir))
    p.set_defaults(func=_ingest)

    p = sub.add_parser("serve", help="serve the HTTP API over a published index")
    p.add_argument("--index", default=str(settings.index_dir))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the memory-mapped index (each loads the model)",
    )
    p.set_defaults(func=_serve)

    p = sub.add_parser("search", help="search a published index from the command line")
    p.add_argument("query")
    p.add_argument("--index", default=str(settings.index_dir))
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--mode", default="hybrid", choices=["dense", "lexical", "hybrid"])
    p.add_argument("--doc", action="append", help="only this document id (repeatable)")
    p.add_argument("--kind", action="append", help="only this document kind (repeatable)")
    p.add_argument(
        "--lang",
        action="append",
        choices=("en", "es", "pt"),
        help="only documents in this language (repeatable)",
    )
    p.add_argument("--year-from", type=int)
    p.add_argument("--year-to", type=int)
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=_search)

    try:
        from evals.cli import add_eval_arguments
    except ImportError:  # pragma: no cover - the harness is part of the package
        pass
    else:
        p = sub.add_parser("eval", help="score retrieval on a gold set or a BEIR dataset")
        add_eval_arguments(p)
        p.set_defaults(func=_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        settings: Settings = get_settings()
    except ValidationError as exc:
        # before argparse: every command (and --help) stands on the settings
        configure_logging(verbose=False, as_json=False)
        log.error("%s", describe_error(exc))
        return 2
    args = build_parser().parse_args(argv)
    configure_logging(verbose=args.verbose, as_json=settings.log_json)
    try:
        return int(args.func(args))
    except CartagenaError as exc:
        log.error("%s", exc)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
