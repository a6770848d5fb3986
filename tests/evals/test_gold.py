"""Loading gold sets and BEIR folders; the dump and report files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.beir import beir_documents, load_beir
from evals.gold import GoldFormatError, GoldQuery, Span, load_gold
from evals.report import build_report, to_markdown, write_dump
from evals.retrievers import Result
from evals.runner import run_gold


def test_load_gold_reads_spans_tags_and_doc_stems(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    line = {
        "id": "q1",
        "query": "bank accounts",
        "relevant": [{"doc": "consultation.pdf", "text": "open bank accounts", "grade": 2}],
        "tags": ["topic", "es"],
    }
    path.write_text(json.dumps(line) + "\n\n")
    [query] = load_gold(path)
    assert query.relevant == (Span("consultation", "open bank accounts", 2),)
    assert query.is_spanish


def test_load_gold_rejects_a_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "q1", "query": "x"}\n')
    with pytest.raises(GoldFormatError, match="gold.jsonl:1"):
        load_gold(path)


def test_the_shared_dev_set_loads(shared_dir: Path) -> None:
    queries = load_gold(shared_dir / "evals" / "cartagena-dev.jsonl")
    assert len(queries) >= 20
    assert all(q.relevant for q in queries)


def test_load_beir_and_one_passage_per_document(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text(
        json.dumps({"_id": "d1", "title": "Title", "text": "Body."}) + "\n"
    )
    (tmp_path / "queries.jsonl").write_text(
        json.dumps({"_id": "q1", "text": "query"}) + "\n" + json.dumps({"_id": "q2", "text": "x"})
    )
    (tmp_path / "qrels-test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    data = load_beir(tmp_path)
    assert data.queries == {"q1": "query"}  # unjudged queries are left out
    assert data.qrels == {"q1": {"d1": 1}}
    [(_, _, chunked)] = beir_documents(data)
    [passage] = chunked.passages
    assert passage.doc_id == "d1"
    assert passage.text == passage.embed_text == "Title Body."


class _Fixed:
    name = "fixed"

    def search(self, query: str, k: int, mode: str) -> list[Result]:
        return [Result("d", "unrelated"), Result("d", "open bank accounts now")][:k]


def test_run_report_and_dump(tmp_path: Path) -> None:
    gold = [GoldQuery("q1", "bank", (Span("d", "open bank accounts", 2),), ("topic",))]
    run = run_gold(_Fixed(), gold, "hybrid", 10)
    assert run.gold[0].gains == [0, 2]
    report = build_report("toy", "gold", [run], {"command": "cartagena eval"})
    summary = report["runs"][0]
    assert summary["english"]["mrr10"] == 0.5
    assert summary["missed_top5"] == []
    assert summary["median_passage_chars"] == (9 + 22) / 2
    assert "| fixed/hybrid | 1 |" in to_markdown(report)
    dump = tmp_path / "dump.jsonl"
    write_dump(run, dump)
    line = json.loads(dump.read_text())
    assert line == {
        "id": "q1",
        "passages": [
            {"doc": "d", "text": "unrelated"},
            {"doc": "d", "text": "open bank accounts now"},
        ],
    }
