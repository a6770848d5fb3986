"""Documents added and deleted while 16 clients search: no errors, no torn versions.

A real server (uvicorn, subprocess) on loopback; 16 threads search without pause while the main
thread uploads and deletes documents through the admin API. Every response must be a 200 from
one complete index version: its results come only from documents that version holds.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.utils.local import cli, free_port
from tests.utils.shared import ADMIN_KEY, CONSULTATION, PLEDGE

QUERIES = [
    "family reunification",
    "temporary protection for disaster displacement",
    "private sponsorship",
    '"non-refoulement"',
    "registration of displaced families at the border",
]
DOCS = {
    "draft-a": b"# Draft A\n\nTemporary protection for persons displaced by disasters at the "
    b"border shall be granted for one year and renewed while the disaster lasts.\n",
    "draft-b": b"# Draft B\n\nRegistration of displaced families at the border shall be free of "
    b"charge and completed within three days.\n",
}
STEPS = [("add", "draft-a"), ("add", "draft-b"), ("delete", "draft-a"), ("delete", PLEDGE)]


@dataclass
class Observed:
    responses: list[tuple[int, str, list[str]]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _search_until(stop: threading.Event, base: str, n: int, seen: Observed) -> None:
    with httpx.Client(base_url=base, timeout=120) as http:
        i = n
        while not stop.is_set():
            query = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                r = http.get("/search", params={"q": query, "k": 10})
            except httpx.HTTPError as exc:
                with seen.lock:
                    seen.failures.append(repr(exc))
                continue
            body = r.json() if r.status_code == 200 else {}
            docs = [h["doc_id"] for h in body.get("results", [])]
            with seen.lock:
                seen.responses.append((r.status_code, body.get("index_version", ""), docs))


def _change_documents(base: str, versions: dict[str, set[str]]) -> str:
    """Add and delete documents through the admin API; record each version's documents."""
    docs = {CONSULTATION, PLEDGE}
    version = ""
    with httpx.Client(base_url=base, headers={"X-API-Key": ADMIN_KEY}, timeout=300) as admin:
        for action, doc_id in STEPS:
            time.sleep(1.0)
            if action == "add":
                r = admin.post("/admin/documents", files={"file": (f"{doc_id}.md", DOCS[doc_id])})
                docs = docs | {doc_id}
            else:
                r = admin.delete(f"/admin/documents/{doc_id}")
                docs = docs - {doc_id}
            assert r.status_code in (200, 201), r.text
            version = (r.json().get("build") or r.json())["version"]
            versions[version] = set(docs)
        time.sleep(1.5)
    return version


@pytest.mark.slow
def test_hot_reload_under_load(index_copy: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CARTAGENA_ADMIN_API_KEY": ADMIN_KEY}
    log = (tmp_path / "server.log").open("w")
    command = cli(
        "serve", "--index", str(index_copy), "--port", str(port), "--log-level", "warning"
    )
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(base, server)
        versions = {httpx.get(f"{base}/health").json()["index_version"]: {CONSULTATION, PLEDGE}}
        seen = Observed()
        stop = threading.Event()
        threads = [
            threading.Thread(target=_search_until, args=(stop, base, n, seen), daemon=True)
            for n in range(16)
        ]
        for t in threads:
            t.start()
        try:
            last = _change_documents(base, versions)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=120)

        assert not seen.failures, seen.failures[:5]
        assert {s for s, _, _ in seen.responses} == {200}
        assert len(seen.responses) > 50
        used = {v for _, v, _ in seen.responses}
        assert len(used) >= 3, f"the server should have switched versions under load: {used}"
        for _, version, doc_ids in seen.responses:
            assert version in versions, f"unknown version {version}"
            assert set(doc_ids) <= versions[version], (version, doc_ids)
        assert httpx.get(f"{base}/health").json()["index_version"] == last
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("server did not become ready")
