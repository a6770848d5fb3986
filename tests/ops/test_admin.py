"""Document management: who may change the index, what may be uploaded, and what it changes."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
from fastapi.testclient import TestClient

from api.app import create_app
from cartagena.settings import Settings
from tests.utils.shared import ADMIN_KEY, PLEDGE

AUTH = {"X-API-Key": ADMIN_KEY}
DRAFT = (
    b"# Quito Draft Commitment\n\n## I. Climate mobility\n\n"
    b"States shall admit persons displaced by sudden-onset disasters under temporary "
    b"humanitarian protection visas, renewable while the emergency lasts.\n"
)


def test_admin_is_disabled_without_a_configured_key(client: TestClient) -> None:
    for method, url in (("post", "/admin/reindex"), ("delete", f"/admin/documents/{PLEDGE}")):
        r = client.request(method, url, headers=AUTH)
        assert r.status_code == 403, r.text
        assert "disabled" in r.json()["message"]
    assert client.get("/search", params={"q": "asylum"}).status_code == 200  # reading stays open


def test_missing_or_wrong_key_is_401(admin_client: TestClient) -> None:
    assert admin_client.post("/admin/reindex").status_code == 401
    assert admin_client.post("/admin/reindex", headers={"X-API-Key": "wrong"}).status_code == 401
    r = admin_client.post(
        "/admin/documents", headers={"X-API-Key": ADMIN_KEY[:-1]}, files={"file": ("a.md", DRAFT)}
    )
    assert r.status_code == 401
    assert admin_client.get("/documents").json()[-1]["doc_id"] != "a"


def test_uploads_are_checked_by_size_and_content(
    admin_client: TestClient, index_copy: Path
) -> None:
    too_big = admin_client.post(
        "/admin/documents", headers=AUTH, files={"file": ("big.md", b"word " * 30_000)}
    )
    assert too_big.status_code == 413
    png_named_pdf = admin_client.post(
        "/admin/documents", headers=AUTH, files={"file": ("x.pdf", b"\x89PNG\r\n\x1a\n\x00\x00")}
    )
    assert png_named_pdf.status_code == 415
    broken_pdf = admin_client.post(
        "/admin/documents", headers=AUTH, files={"file": ("b.pdf", b"%PDF-1.7\n1 0 obj <<")}
    )
    assert broken_pdf.status_code == 422
    assert "could not be indexed" in broken_pdf.json()["message"]
    # nothing of the refused uploads is left behind
    uploads = index_copy / "uploads"
    assert not [p for p in uploads.iterdir() if p.is_file() and not p.name.startswith(".")]


def test_upload_search_and_delete(
    admin_client: TestClient, index_copy: Path, tmp_path: Path
) -> None:
    before = admin_client.get("/health").json()
    r = admin_client.post(
        "/admin/documents",
        headers=AUTH,
        files={"file": ("../../etc/Quito draft.md", DRAFT, "text/markdown")},
        data={"metadata": json.dumps({"title": "Quito Draft", "year": 2026, "kind": "other"})},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    doc_id = body["doc_id"]
    assert doc_id == "quito-draft"  # no path traversal, a safe id
    assert (index_copy / "uploads" / "quito-draft.md").read_bytes() == DRAFT
    assert not (index_copy.parent / "etc").exists()
    # only the new document went through the model
    assert 0 < body["build"]["embedded"] <= 2
    assert body["build"]["version"] != before["index_version"]

    hits = admin_client.get("/search", params={"q": "sudden-onset disasters humanitarian visas"})
    top = hits.json()["results"][0]
    assert top["doc_id"] == doc_id
    assert top["citation"].startswith("Quito Draft (2026), I. Climate mobility")
    assert hits.json()["index_version"] == body["build"]["version"]

    # deleting a document of the read-only source corpus leaves the source untouched
    r = admin_client.delete(f"/admin/documents/{PLEDGE}", headers=AUTH)
    assert r.status_code == 200, r.text
    ids = [d["doc_id"] for d in admin_client.get("/documents").json()]
    assert PLEDGE not in ids and doc_id in ids
    assert admin_client.get(f"/documents/{PLEDGE}").status_code == 404

    r = admin_client.delete(f"/admin/documents/{doc_id}", headers=AUTH)
    assert r.status_code == 200
    assert not (index_copy / "uploads" / "quito-draft.md").exists()
    assert admin_client.delete("/admin/documents/nope", headers=AUTH).status_code == 404


def test_a_pdf_upload_keeps_its_pages(
    admin_client: TestClient, pdf_dir: Path, tmp_path: Path
) -> None:
    writer = pypdf.PdfWriter(clone_from=pdf_dir / f"{PLEDGE}.pdf")
    out = tmp_path / "copy.pdf"
    writer.write(out)
    r = admin_client.post(
        "/admin/documents", headers=AUTH, files={"file": ("pledge-copy.txt", out.read_bytes())}
    )
    assert r.status_code == 201, r.text  # typed by content: a PDF, whatever its name says
    doc = admin_client.get("/documents/pledge-copy").json()
    assert doc["format"] == "pdf" and doc["n_pages"] == 3


def test_changes_survive_a_reindex_from_the_cli(
    index_copy: Path, admin_settings: Settings, pdf_dir: Path
) -> None:
    """A later `cartagena ingest` keeps uploads and deletions made through the API."""
    from ingest.build import build_index

    with TestClient(create_app(index_copy, admin_settings)) as c:
        assert c.post("/admin/documents", headers=AUTH, files={"file": ("d.md", DRAFT)}).is_success
        assert c.delete(f"/admin/documents/{PLEDGE}", headers=AUTH).is_success
    report = build_index(pdf_dir, index_copy, admin_settings)
    assert report.documents == 2 and report.embedded == 0
    with TestClient(create_app(index_copy, admin_settings)) as c:
        assert sorted(d["doc_id"] for d in c.get("/documents").json()) == sorted(
            ["d", "cartagena40-brasilia-consultation-2024"]
        )
