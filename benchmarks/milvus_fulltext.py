"""Milvus' own full-text search (BM25 function) beside the engine's bm25s, on a gold set.

    python -m benchmarks.milvus_fulltext --index IDX [--gold ../shared/evals/cartagena-dev.jsonl]

Copies the passages of a published index (section heading + text, what bm25s indexes) into a
milvus-lite collection with a BM25 function over an analysed VARCHAR field, then scores its
ranking and the engine's lexical mode (bm25s, Snowball-stemmed, stop words removed) with the
same gold relevance judgement as ``cartagena eval``. Two Milvus analysers: ``standard``
(lowercased words) and ``standard`` + the engine's English stop words. milvus-lite 3.2.2 has no
stemming filter (a Milvus server's ``english`` analyzer stems; not measured here). Decides
whether lexical search could move into Milvus with the vectors (docs/operations.md).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, report
from cartagena.settings import get_settings
from evals.gold import load_gold
from evals.metrics import mean_scores
from evals.retrievers import EngineRetriever, Result
from evals.runner import run_gold
from index.milvus_store import connect, release
from index.reader import IndexStore
from search.loader import load_searcher
from text.tokens import STOPWORDS

log = logging.getLogger("benchmarks.milvus_fulltext")


class MilvusFullText:
    """A gold-set retriever over a milvus-lite BM25 collection of the index's passages."""

    def __init__(self, store: IndexStore, uri: str, analyzer: dict, name: str) -> None:
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        self.store = store
        self.name = name
        self.client = connect(uri, get_settings())
        self.collection = f"fts_{name.replace('-', '_')}"
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field(
            "text",
            DataType.VARCHAR,
            max_length=65_535,
            enable_analyzer=True,
            analyzer_params=analyzer,
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["text"],
                output_field_names=["sparse"],
            )
        )
        params = self.client.prepare_index_params()
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        if self.client.has_collection(self.collection):
            self.client.drop_collection(self.collection)
        self.client.create_collection(self.collection, schema=schema, index_params=params)
        self.client.insert(
            self.collection,
            [
                {"row": p.row, "text": f"{p.section}\n{p.text}" if p.section else p.text}
                for p in store.passages()
            ],
        )
        self.client.flush(self.collection)
        self.client.load_collection(self.collection)
        self.latencies: list[float] = []

    def search(self, query: str, k: int, mode: str) -> list[Result]:
        started = time.perf_counter()
        found = self.client.search(
            self.collection,
            data=[query],
            anns_field="sparse",
            limit=k,
            search_params={"metric_type": "BM25"},
            output_fields=["row"],
        )[0]
        self.latencies.append(time.perf_counter() - started)
        rows = [int(h["entity"]["row"]) for h in found]
        hits = self.store.hits(rows, [float(h["distance"]) for h in found])
        return [Result(h.doc_id, h.text, h.passage_id, h.score, h.citation) for h in hits]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a published index")
    parser.add_argument("--gold", type=Path, default=Path("../shared/evals/cartagena-dev.jsonl"))
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/cartagena-fulltext"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = get_settings()
    gold = load_gold(args.gold)
    searcher = load_searcher(args.index, settings)
    shutil.rmtree(args.work_dir, ignore_errors=True)
    args.work_dir.mkdir(parents=True)
    uri = str(args.work_dir / "fulltext.db")
    rows: list[dict[str, Any]] = []

    engine = EngineRetriever(searcher, "engine-bm25s")
    run = run_gold(engine, gold, "lexical")
    rows.append({"system": "engine bm25s (stemmed, stop words)", **_scores(run, None)})
    analyzers: dict[str, dict[str, Any]] = {
        "milvus-standard": {"tokenizer": "standard"},
        "milvus-standard-stop": {
            "tokenizer": "standard",
            "filter": [{"type": "stop", "stop_words": sorted(STOPWORDS)}],
        },
    }
    for name, analyzer in analyzers.items():
        retriever = MilvusFullText(searcher.store, uri, analyzer, name)
        run = run_gold(retriever, gold, "lexical")
        rows.append({"system": f"milvus-lite BM25, {name}", **_scores(run, retriever.latencies)})
        log.info("%s", rows[-1])
    release(uri)
    report(
        "milvus_fulltext",
        rows,
        {"index": str(args.index), "gold": str(args.gold), "queries": len(gold)},
        args.out,
    )
    return 0


def _scores(run: Any, latencies: list[float] | None) -> dict[str, Any]:
    means = mean_scores([g.scores for g in run.gold])
    out: dict[str, Any] = {m: round(v, 3) for m, v in means.items()}
    out["p50_ms"] = percentiles(latencies)["p50_ms"] if latencies else ""
    return out


if __name__ == "__main__":
    sys.exit(main())
