"""Each benchmark script runs end to end on a tiny input, so none of them can rot.

These are not timed tests: they check that the scripts run and write their JSON, never the
figures. The ones that load the model or start servers are marked ``slow``.
"""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks import (
    copied_quotes,
    gpu_throughput,
    http_latency,
    ingest_throughput,
    milvus_fulltext,
    phrase_latency,
    query_encoding,
    recipe_compare,
    scale,
    soak,
    worker_balance,
)
from benchmarks.common import percentiles, table
from benchmarks.loadgen import get, post, run_load
from tests.utils.local import free_port

SCIFACT = Path(__file__).resolve().parents[2] / "../shared/datasets/scifact"


def _load(path: Path) -> dict:
    payload = json.loads(path.read_text())
    assert payload["rows"] and payload["machine"]["cores"] >= 1
    return payload


class _Echo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else self.path.encode()
        status = 404 if "missing" in self.path else 200
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def test_load_generator_counts_answers_and_errors() -> None:
    _Echo.protocol_version = "HTTP/1.1"  # keep-alive, as the generator expects
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        requests = [get("/search", q=f"q{i}") for i in range(30)] + [post("/ask", {"q": 1})]
        result = run_load(port, [*requests, get("/missing")], concurrency=4, max_seconds=20)
    finally:
        server.shutdown()
    assert len(result.latencies) == 31
    assert result.errors == 1 and result.statuses == {200: 31, 404: 1}
    assert result.throughput > 0


def test_load_generator_refuses_other_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_load(80, [get("/")], 1, 1, host="example.org")


def test_percentiles_and_table() -> None:
    # 1..100 ms: numpy's linear-interpolated p50 = 50.5, p99 = 99.01
    p = percentiles([i / 1000 for i in range(1, 101)])
    assert (p["p50_ms"], p["p99_ms"]) == (50.5, 99.01)
    assert table([{"a": 1, "b": 0.12345}]).splitlines()[2] == "| 1 | 0.1235 |"


@pytest.mark.slow  # no model, but builds four indexes in subprocesses
def test_scale_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    argv = ["--sizes", "3000", "--queries", "12", "--nprobe", "--ef-search"]
    argv += ["--lexical-sizes", "300", "--data", "random", "--out", str(out)]
    argv += ["--work-dir", str(tmp_path / "work")]
    assert scale.main(argv) == 0
    payload = _load(out)
    kinds = {r["kind"] for r in payload["rows"]}
    assert kinds == {"flat", "hnsw_sq8", "ivf_sq8", "ivf_pq", "bm25s"}
    flat = next(r for r in payload["rows"] if r["kind"] == "flat")
    assert flat["recall10"] == 1.0  # exact search is its own ground truth
    assert payload["chosen_by_engine"] == {"3000": "flat"}


@pytest.mark.slow  # no model: a milvus-lite collection of a few thousand vectors
def test_scale_runs_on_milvus_lite(tmp_path: Path) -> None:
    out = tmp_path / "scale-milvus.json"
    argv = ["--store", "milvus", "--sizes", "3000", "--kinds", "flat", "--queries", "12"]
    argv += ["--lexical-sizes", "--data", "random", "--out", str(out)]
    argv += ["--work-dir", str(tmp_path / "work")]
    assert scale.main(argv) == 0
    payload = _load(out)
    (row,) = payload["rows"]
    assert row["kind"] == "milvus-lite flat" and payload["store"] == "milvus"
    assert row["recall10"] == 1.0  # Milvus' FLAT is exact too


@pytest.mark.slow
def test_milvus_fulltext_scores_the_dev_set(built_index, tmp_path: Path) -> None:
    out = tmp_path / "fulltext.json"
    argv = ["--index", str(built_index.path), "--work-dir", str(tmp_path / "work")]
    assert milvus_fulltext.main([*argv, "--out", str(out)]) == 0
    rows = _load(out)["rows"]
    assert len(rows) == 3 and all(0 < r["mrr10"] <= 1 for r in rows)


@pytest.mark.slow
@pytest.mark.skipif(not SCIFACT.is_dir(), reason="needs ../shared/datasets/scifact")
def test_ingest_throughput_runs_on_a_few_abstracts(tmp_path: Path) -> None:
    out = tmp_path / "ingest.json"
    argv = ["--data", str(SCIFACT), "--limit", "16", "--backends", "torch"]
    assert ingest_throughput.main([*argv, "--cache", str(tmp_path), "--out", str(out)]) == 0
    row = _load(out)["rows"][0]
    assert row["passages"] == 16 and 0 <= row["scifact_ndcg10"] <= 1


@pytest.mark.slow
@pytest.mark.skipif(not SCIFACT.is_dir(), reason="needs ../shared/datasets/scifact")
def test_gpu_throughput_runs_on_cpu_with_a_few_abstracts(tmp_path: Path) -> None:
    out = tmp_path / "gpu.json"
    argv = ["--device", "cpu", "--data", str(SCIFACT), "--limit", "8", "--repeat", "2"]
    assert gpu_throughput.main([*argv, "--batch-sizes", "4", "--out", str(out)]) == 0
    rows = _load(out)["rows"]
    assert [r["step"].split()[0] for r in rows] == [
        "encode",
        "encode",
        "pipelined",
        "tokenise",
        "model",
    ]
    assert all(r["passages"] == 16 for r in rows)
    # on CPU every variant is the fp32 model: the same vectors, so the same scores
    scored = [r for r in rows if "scifact_ndcg10" in r]
    assert {r["scifact_ndcg10"] for r in scored} == {scored[0]["scifact_ndcg10"]}
    assert min(r["min_cosine_vs_first"] for r in scored) > 0.9999


@pytest.mark.slow
def test_query_encoding_runs_each_backend_in_its_own_process(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    out = tmp_path / "query.json"
    argv = ["--threads", "1", "--batches", "1", "4", "--seconds", "0.2", "--out", str(out)]
    assert query_encoding.main(argv) == 0
    rows = _load(out)["rows"]
    assert [(r["backend"], r["batch"]) for r in rows] == [
        ("torch", 1),
        ("torch", 4),
        ("onnx-padded", 1),
        ("onnx-padded", 4),
        ("onnx", 1),
        ("onnx", 4),
    ]
    assert all(r["queries"] >= r["batch"] and r["ms_per_query"] > 0 for r in rows)


@pytest.mark.slow
def test_recipe_compare_runs_on_the_dev_set(built_index, tmp_path: Path) -> None:
    out = tmp_path / "recipe.json"
    argv = ["--index", str(built_index.path), "--rounds", "1", "--cache", str(tmp_path)]
    assert recipe_compare.main([*argv, "--out", str(out)]) == 0
    rows = _load(out)["rows"]
    assert [r["system"] for r in rows] == ["cartagena", "cartagena", "standard-recipe"]


@pytest.mark.slow
def test_phrase_latency_finds_every_quote(built_index, tmp_path: Path) -> None:
    out = tmp_path / "phrase.json"
    argv = ["--index", str(built_index.path), "--lengths", "5", "40", "--n", "5"]
    assert phrase_latency.main([*argv, "--out", str(out)]) == 0
    rows = _load(out)["rows"]
    assert [(r["words"], r["quotes"], r["found"]) for r in rows] == [(5, 10, 10), (40, 10, 10)]


@pytest.mark.slow
def test_copied_quotes_finds_every_line_of_the_text_twins(
    built_index, shared_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "copied.json"
    argv = ["--index", str(built_index.path), "--corpus", str(shared_dir / "corpus"), "--n", "5"]
    assert copied_quotes.main([*argv, "--out", str(out)]) == 0
    rows = {r["sample"]: r for r in _load(out)["rows"]}
    twins = rows["text twin lines"]
    assert twins["quotes"] > 100 and twins["found"] == twins["quotes"]
    pdf = rows["PDF line runs"]
    assert pdf["found"] == pdf["quotes"] == 10 - pdf["page lines only"]


@pytest.mark.slow
def test_http_latency_runs_against_real_servers(built_index, tmp_path: Path) -> None:
    out = tmp_path / "http.json"
    argv = ["--index", str(built_index.path), "--workers", "1", "--clients", "1", "2"]
    argv += [
        "--requests",
        "6",
        "--seconds",
        "5",
        "--warmup",
        "4",
        "--endpoints",
        "hybrid",
        "lexical",
    ]
    assert http_latency.main([*argv, "--port", str(free_port()), "--out", str(out)]) == 0
    rows = _load(out)["rows"]
    assert {(r["server"], r["endpoint"]) for r in rows} >= {
        ("minimal", "minimal"),
        ("cartagena", "hybrid"),
        ("cartagena", "lexical"),
    }
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in rows)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2)")
def test_worker_balance_counts_every_connection(built_index, tmp_path: Path) -> None:
    out = tmp_path / "balance.json"
    argv = ["--index", str(built_index.path), "--clients", "6", "--trials", "2"]
    assert worker_balance.main([*argv, "--port", str(free_port()), "--out", str(out)]) == 0
    rows = _load(out)["rows"]
    for row in rows:
        counts = [int(n) for n in row["per_worker"].split(" / ")]
        assert sum(counts) == 6 and len(counts) <= 2


@pytest.mark.slow
def test_soak_runs_by_the_clock_and_reports_memory(built_index, tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    argv = ["--index", str(built_index.path), "--warmup-minutes", "0.05", "--minutes", "0.05"]
    argv += ["--window", "3", "--clients", "2", "--port", str(free_port()), "--out", str(out)]
    soak.main(argv)  # its memory verdict means nothing over six seconds: not asserted
    payload = _load(out)
    assert [r["phase"] for r in payload["rows"]] == ["warm-up", "measured"]
    assert payload["errors"] == 0 and payload["rss_end_mib"] > 0
    # a window lasts its seconds, not until a fixed number of texts runs out
    assert all(r["seconds"] >= 2.5 for r in payload["rows"])
