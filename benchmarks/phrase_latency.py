"""What an exact-phrase query costs and whether it finds its wording, by quote length.

    python -m benchmarks.phrase_latency --index data/index [--lengths 5 12 25 60] [--n 50]

Quotes are seeded random stretches of each document's own text (paragraph ends, headings and
passage boundaries included), as a negotiator pastes them. For each length it reports how many
were found in their document and the in-process ``Searcher.search`` time (lexical mode, so no
model runs and the phrase lookup is what is timed; query vectors play no part).
"""

from __future__ import annotations

import logging
import random
import re
import time
from typing import Any

from benchmarks.common import index_parser, percentiles, report, start_logging

log = logging.getLogger("benchmarks.phrase_latency")
_WORD = re.compile(r"\S+")


def quotes(texts: dict[str, str], length: int, n: int, seed: int) -> list[tuple[str, str]]:
    """(doc_id, quoted stretch of ``length`` words), ``n`` per document."""
    rng = random.Random(seed + length)
    out = []
    for doc_id, text in sorted(texts.items()):
        marks = list(_WORD.finditer(text))
        if len(marks) <= length:
            continue
        for _ in range(n):
            i = rng.randrange(0, len(marks) - length)
            stretch = text[marks[i].start() : marks[i + length - 1].end()]
            out.append((doc_id, '"' + " ".join(stretch.replace('"', " ").split()) + '"'))
    return out


def main(argv: list[str] | None = None) -> int:
    from cartagena.settings import get_settings
    from search.loader import load_searcher

    parser = index_parser(__doc__)
    parser.add_argument("--lengths", type=int, nargs="+", default=[5, 12, 25, 60])
    parser.add_argument("--n", type=int, default=50, help="quotes per document and length")
    args = parser.parse_args(argv)
    start_logging()

    searcher = load_searcher(args.index, get_settings())
    texts = {d.doc_id: searcher.store.document(d.doc_id)[1] for d in searcher.store.documents()}
    rows: list[dict[str, Any]] = []
    for length in args.lengths:
        found, seconds = 0, []
        for doc_id, quote in quotes(texts, length, args.n, args.seed):
            started = time.perf_counter()
            hits = searcher.search(quote, k=10, mode="lexical")
            seconds.append(time.perf_counter() - started)
            found += any(h.doc_id == doc_id for h in hits)
        rows.append(
            {"words": length, "quotes": len(seconds), "found": found, **percentiles(seconds)}
        )
    report("phrase_latency", rows, {"index": str(args.index), "documents": len(texts)}, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
