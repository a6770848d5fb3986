"""The /ask and /similar sets written out as retrieval gold files.

    python -m evals.as_gold --out DIR
    cartagena eval --gold DIR/ask.jsonl --mode hybrid --no-baseline   # and DIR/similar.jsonl

A question of ask-extra and ask-fresh, or a draft of the three similar sets, searched for as
a query, must find its evidence span (``evals.dense_mix.query_sets``, the same sets its
cross-validation pools with dev): evals/REPORT.md quotes these figures through the engine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evals.dense_mix import query_sets

SETS = {"ask": ("ask", "question"), "sim": ("similar", "paraphrase")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    sets = query_sets()
    for key, (name, tag) in SETS.items():
        with (args.out / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for q in sets[key]:
                relevant = [{"doc": s.doc, "text": s.text, "grade": s.grade} for s in q.relevant]
                line = {"id": q.id, "query": q.query, "relevant": relevant, "tags": [tag]}
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
