"""``cartagena eval``: score the engine (in process or over HTTP) on a gold set or BEIR dataset.

See ``evals/README.md`` for the options and the report files.
"""

from __future__ import annotations

import argparse
import logging
import re
import shlex
import sys
from pathlib import Path

from cartagena.settings import Settings, get_settings
from evals import report as reporting
from evals.beir import ensure_beir_index, load_beir
from evals.gold import load_gold
from evals.retrievers import EngineRetriever, HttpRetriever, Retriever
from evals.runner import Run, run_beir, run_gold
from evals.thresholds import check, load_thresholds
from search.models import MODES

log = logging.getLogger(__name__)
REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE = REPO_ROOT / ".cache"
DEFAULT_GOLD = Path("../shared/evals/cartagena-dev.jsonl")
TUNED_KNOBS = (
    "model_name",
    "chunk_tokens",
    "chunk_overlap_tokens",
    "min_passage_chars",
    "embed_prefix",
    "bm25_k1",
    "bm25_b",
    "fusion",
    "rrf_k",
    "hybrid_weight_dense",
    "hybrid_candidates",
)


def eval_index_dir(name: str, settings: Settings) -> Path:
    """One evaluation index per dataset and model, so runs with two models never share one."""
    model = re.sub(r"[^A-Za-z0-9.-]+", "_", settings.model_name).strip("_")
    return CACHE / f"eval-{name}-{model}"


def resolve(path: Path) -> Path:
    """A relative path as given if it exists from the working directory, else from the repo."""
    if path.is_absolute() or path.exists():
        return path
    from_root = REPO_ROOT / path
    return from_root if from_root.exists() else path


def add_eval_arguments(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--gold", type=Path, help=f"Cartagena gold JSONL (default {DEFAULT_GOLD})")
    src.add_argument(
        "--beir", type=Path, help="BEIR dataset folder, e.g. ../shared/datasets/scifact"
    )
    src.add_argument(
        "--ask",
        type=Path,
        action="append",
        metavar="FILE",
        help="score /ask on questions (gold or unanswerable format; repeat for several files)",
    )
    src.add_argument(
        "--similar",
        type=Path,
        action="append",
        metavar="FILE",
        help="score /similar on paraphrased precedents (source first, MRR; repeatable)",
    )
    p.add_argument(
        "--crossval",
        type=int,
        metavar="N",
        help="with --ask: also cross-validate the /ask thresholds over N folds; with "
        "--similar: the /similar wording weight",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        help="documents to index for a gold set (default: CARTAGENA_CORPUS_DIR)",
    )
    p.add_argument("--index", type=Path, help="score this published index instead of building one")
    p.add_argument(
        "--url", help="score a running server through GET /search, e.g. http://127.0.0.1:8000"
    )
    p.add_argument("--mode", choices=MODES, help="one mode (default: all three)")
    p.add_argument("--k", type=int, default=10, help="passages per query (metrics use the top 10)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("artifacts/eval"),
        help="folder for <dataset>.json and <dataset>.md",
    )
    p.add_argument(
        "--dump",
        type=Path,
        help="JSONL of the ranked passages of the default mode "
        "(hybrid, or --mode); other modes go to FILE.<mode>.jsonl beside it",
    )
    p.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also score the standard recipe (default: on for gold sets)",
    )
    p.add_argument(
        "--thresholds",
        type=Path,
        nargs="?",
        const=Path("evals/thresholds.toml"),
        help="exit 1 when a figure falls below its floor in this TOML file",
    )


def _context(settings: Settings, target: str) -> dict:
    argv = ["cartagena", *sys.argv[1:]] if Path(sys.argv[0]).name == "cartagena" else sys.argv
    return {
        "command": shlex.join(argv),
        "target": target,
        "settings": {k: getattr(settings, k) for k in TUNED_KNOBS},
    }


def engine_for_gold(args: argparse.Namespace, settings: Settings) -> EngineRetriever:
    from search.loader import load_searcher
    from service import indexing

    index = args.index
    if index is None:
        index = eval_index_dir("index", settings)
        corpus = resolve(args.corpus or settings.corpus_dir)
        log.info("building the evaluation index of %s in %s", corpus, index)
        indexing.build(corpus, index, settings)
    return EngineRetriever(load_searcher(resolve(index), settings))


def gold_runs(
    args: argparse.Namespace, settings: Settings, modes: tuple[str, ...]
) -> tuple[str, list[Run], str]:
    gold = resolve(args.gold or DEFAULT_GOLD)
    queries = load_gold(gold)
    retriever: Retriever
    if args.url:
        retriever, target = HttpRetriever(args.url), args.url
    else:
        engine = engine_for_gold(args, settings)
        retriever, target = engine, str(engine.searcher.store.path)
    runs = [run_gold(retriever, queries, mode, args.k) for mode in modes]
    if args.baseline is not False:
        from evals.baseline import StandardRecipe

        corpus = resolve(args.corpus or settings.corpus_dir)
        recipe = StandardRecipe(corpus, CACHE / "eval-baseline", settings)
        runs.append(run_gold(recipe, queries, "dense", args.k))
    return gold.stem, runs, target


def beir_runs(
    args: argparse.Namespace, settings: Settings, modes: tuple[str, ...]
) -> tuple[str, list[Run], str]:
    from search.loader import load_searcher

    data = load_beir(resolve(args.beir))
    retriever: Retriever
    if args.url:
        retriever, target = HttpRetriever(args.url), args.url
    else:
        index = args.index or eval_index_dir(data.name, settings)
        ensure_beir_index(data, index, settings, rebuild=args.index is None)
        engine = EngineRetriever(load_searcher(index, settings))
        retriever, target = engine, str(engine.searcher.store.path)
    return data.name, [run_beir(retriever, data, mode, args.k) for mode in modes], target


def dump_paths(path: Path, runs: list[Run], primary: str) -> list[tuple[Run, Path]]:
    out = []
    for run in runs:
        if run.system == runs[0].system and run.mode == primary:
            out.append((run, path))
        else:
            name = run.mode if run.system == runs[0].system else f"{run.system}.{run.mode}"
            out.append((run, path.with_name(f"{path.stem}.{name}{path.suffix or '.jsonl'}")))
    return out


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    """``--ask``: answered-with-evidence and refused, per file; see evals/ask_eval.py."""
    from evals import ask_eval

    items = ask_eval.load_ask([resolve(p) for p in args.ask])
    if args.url:
        outcomes, target = ask_eval.ask_http(args.url, items), args.url
        cv = None
    else:
        searcher = engine_for_gold(args, settings).searcher
        outcomes, target = ask_eval.ask_engine(searcher, items), str(searcher.store.path)
        cv = None
        if args.crossval:
            cv = ask_eval.crossval(
                items, lambda point: ask_eval.ask_engine(searcher, items, point), args.crossval
            )
    context = _context(settings, target)
    context["settings"] = {k: getattr(settings, k) for k in ask_eval.ASK_KNOBS}
    report = ask_eval.build_ask_report(items, outcomes, context, cv)
    json_path, md_path = ask_eval.write_ask_report(report, args.out)
    sys.stdout.write(ask_eval.ask_markdown(report))
    log.info("report written to %s and %s", json_path, md_path)
    if args.thresholds:
        failures = ask_eval.check_ask(report, load_thresholds(resolve(args.thresholds)))
        for failure in failures:
            log.error("%s", failure)
        return 1 if failures else 0
    return 0


def run_similar(args: argparse.Namespace, settings: Settings) -> int:
    """``--similar``: source-first rate and MRR per file; see evals/similar_eval.py."""
    from evals import similar_eval

    items = similar_eval.load_similar([resolve(p) for p in args.similar])
    cv = None
    if args.url:
        outcomes, target = similar_eval.similar_http(args.url, items, args.k), args.url
    else:
        searcher = engine_for_gold(args, settings).searcher
        outcomes, target = (
            similar_eval.similar_engine(searcher, items, args.k),
            str(searcher.store.path),
        )
        if args.crossval:
            every = similar_eval.similar_engine(searcher, items, 10 * settings.similar_candidates)
            cv = similar_eval.crossval(items, every, args.crossval, args.k)
    context = _context(settings, target)
    context["settings"] = {k: getattr(settings, k) for k in similar_eval.SIMILAR_KNOBS}
    report = similar_eval.build_similar_report(items, outcomes, args.k, context, cv)
    json_path, md_path = similar_eval.write_similar_report(report, args.out)
    sys.stdout.write(similar_eval.similar_markdown(report))
    log.info("report written to %s and %s", json_path, md_path)
    if args.thresholds:
        failures = similar_eval.check_similar(report, load_thresholds(resolve(args.thresholds)))
        for failure in failures:
            log.error("%s", failure)
        return 1 if failures else 0
    return 0


def run_eval(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.ask:
        return run_ask(args, settings)
    if args.similar:
        return run_similar(args, settings)
    modes = (args.mode,) if args.mode else MODES
    if args.beir:
        name, runs, target = beir_runs(args, settings, modes)
        kind = "beir"
    else:
        name, runs, target = gold_runs(args, settings, modes)
        kind = "gold"
    report = reporting.build_report(name, kind, runs, _context(settings, target))
    json_path, md_path = reporting.write_report(report, args.out)
    sys.stdout.write(reporting.to_markdown(report))
    log.info("report written to %s and %s", json_path, md_path)
    if args.dump:
        primary = args.mode or "hybrid"
        for run, path in dump_paths(args.dump, runs, primary):
            reporting.write_dump(run, path)
            log.info("ranked passages of %s written to %s", run.label, path)
    if args.thresholds:
        failures = check(report, load_thresholds(resolve(args.thresholds)))
        for failure in failures:
            log.error("%s", failure)
        return 1 if failures else 0
    return 0
