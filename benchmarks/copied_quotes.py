"""Whether wording copied as a user copies it is found by exact-phrase search.

    python -m benchmarks.copied_quotes --index data/index --corpus ../shared/corpus [--n 150]

:mod:`benchmarks.phrase_latency` quotes the index's own normalised text. Users copy from
elsewhere: a PDF viewer gives the page's raw text (ligatures, footnote numbers, hyphens at
line ends, running headers and page lines between lines), a Markdown source gives markup
(``<sup>6</sup>``, links). Two samples, each quoted in double quotes:

- every line of three words or more of each file under ``<corpus>/text`` (Markdown or text),
  as it stands in the file;
- seeded random runs of 1, 2, 3 or 5 consecutive lines of pypdf's text of each page of each
  PDF under ``<corpus>/pdf``.

A quote is found when a hit of its own document is among the first 10 results. A quote made
of page lines only ("Page 3 of 12") names no wording and should find nothing: counted apart.
"""

from __future__ import annotations

import logging
import random
import re
import time
from pathlib import Path
from typing import Any

from benchmarks.common import index_parser, percentiles, report, start_logging

log = logging.getLogger("benchmarks.copied_quotes")
_PAGE_LINES = re.compile(r"^(?:\s*page\s+\d+\s+of\s+\d+\s*)+$", re.IGNORECASE)


def text_lines(folder: Path) -> list[tuple[str, str]]:
    """(doc_id, line) for each line of three words or more of the text twins."""
    out = []
    for path in sorted(folder.iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.split()) >= 3:
                out.append((path.stem, line.strip()))
    return out


def pdf_runs(folder: Path, n: int, seed: int) -> list[tuple[str, str]]:
    """(doc_id, run of consecutive lines of pypdf's page text), ``n`` per PDF."""
    from pypdf import PdfReader

    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.pdf")):
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
        lines = [line for page in pages for line in page.split("\n")]
        taken = 0
        while taken < n:
            i = rng.randrange(len(lines))
            run = "\n".join(lines[i : i + rng.choice([1, 2, 3, 5])]).strip()
            if len(run.split()) >= 3:
                out.append((path.stem, run))
                taken += 1
    return out


def main(argv: list[str] | None = None) -> int:
    from cartagena.errors import CartagenaError
    from cartagena.settings import get_settings
    from search.loader import load_searcher

    parser = index_parser(__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--n", type=int, default=150, help="PDF line runs per document")
    args = parser.parse_args(argv)
    start_logging()

    searcher = load_searcher(args.index, get_settings())
    samples = {
        "text twin lines": text_lines(args.corpus / "text"),
        "PDF line runs": pdf_runs(args.corpus / "pdf", args.n, args.seed),
    }
    searcher.search('family reunification "legal admission pathways"', k=1, mode="hybrid")
    rows: list[dict[str, Any]] = []
    for name, quotes in samples.items():
        found = page_only = empty_ok = 0
        times = []
        for doc_id, quote in quotes:
            start = time.perf_counter()
            try:
                hits = searcher.search(f'"{quote}"', k=10, mode="hybrid")
            except CartagenaError as exc:  # refused: counts as not found
                log.warning("refused (%s): %r", exc, quote[:200])
                hits = []
            times.append(time.perf_counter() - start)
            if times[-1] > 1.0:
                log.info("%.2f s for %r", times[-1], quote[:80])
            if _PAGE_LINES.match(quote):
                page_only += 1
                empty_ok += not hits
            elif any(h.doc_id == doc_id for h in hits):
                found += 1
            else:
                log.warning("not found in %s: %r", doc_id, quote[:200])
        rows.append(
            {
                "sample": name,
                "quotes": len(quotes) - page_only,
                "found": found,
                "page lines only": page_only,
                "of which found nothing": empty_ok,
                **percentiles(times),
                "max_ms": round(max(times) * 1000, 2),
            }
        )
    report("copied_quotes", rows, {"index": str(args.index), "seed": args.seed}, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
