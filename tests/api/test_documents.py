"""GET /documents, /documents/{id} and /passages/{id}: what the index holds, read in context."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.utils.shared import (
    CONSULTATION,
    DOC_IDS,
    FAMILY_REUNIFICATION,
    LABOR_VISA,
    PLEDGE,
    BuiltIndex,
)

pytestmark = pytest.mark.slow


def test_documents_lists_both_with_their_metadata(client: TestClient) -> None:
    response = client.get("/documents")
    assert response.status_code == 200
    docs = {d["doc_id"]: d for d in response.json()}
    assert sorted(docs) == sorted(DOC_IDS)
    assert (docs[CONSULTATION]["year"], docs[CONSULTATION]["kind"]) == (
        2024,
        "consultation-conclusions",
    )
    assert (docs[PLEDGE]["year"], docs[PLEDGE]["kind"]) == (2025, "pledge")
    assert (docs[CONSULTATION]["n_pages"], docs[PLEDGE]["n_pages"]) == (12, 3)
    assert all(d["n_passages"] > 0 and d["format"] == "pdf" for d in docs.values())


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_passage_offsets_index_the_document_text(client: TestClient, doc_id: str) -> None:
    response = client.get(f"/documents/{doc_id}")
    assert response.status_code == 200
    doc = response.json()
    text = doc["text"]
    assert len(doc["passages"]) == doc["n_passages"]
    for ref in doc["passages"]:
        passage = client.get(f"/passages/{ref['passage_id']}").json()
        assert text[ref["char_start"] : ref["char_end"]] == passage["text"], ref["passage_id"]
        assert (passage["char_start"], passage["char_end"]) == (ref["char_start"], ref["char_end"])


def _passage_id(client: TestClient, needle: str) -> str:
    doc = client.get(f"/documents/{CONSULTATION}").json()
    found = [
        p["passage_id"]
        for p in doc["passages"]
        if needle in doc["text"][p["char_start"] : p["char_end"]]
    ]
    assert len(found) == 1, found
    return found[0]


def test_a_passage_is_cited_and_linked_to_its_neighbours(client: TestClient) -> None:
    passage_id = _passage_id(client, FAMILY_REUNIFICATION)
    response = client.get(f"/passages/{passage_id}")
    assert response.status_code == 200
    p = response.json()
    assert (p["doc_id"], p["page_start"], p["page_end"]) == (CONSULTATION, "9", "9")
    assert p["section"].startswith("V. SEGMENT III") and p["section_path"][0] == p["section"]
    assert "V. Segment III" in p["citation"] and "p. 9" in p["citation"]
    assert p["previous_id"] and p["next_id"] and p["context"] == []
    previous = client.get(f"/passages/{p['previous_id']}").json()
    following = client.get(f"/passages/{p['next_id']}").json()
    assert previous["next_id"] == passage_id and following["previous_id"] == passage_id
    assert (
        previous["char_end"] <= p["char_start"] + 1 and following["char_start"] >= p["char_start"]
    )


def test_a_passage_across_pages(client: TestClient) -> None:
    p = client.get(f"/passages/{_passage_id(client, LABOR_VISA)}").json()
    assert (p["page_start"], p["page_end"]) == ("9", "10")


def test_context_returns_the_neighbours_in_order(client: TestClient) -> None:
    passage_id = _passage_id(client, FAMILY_REUNIFICATION)
    p = client.get(f"/passages/{passage_id}", params={"context": 2}).json()
    context = [c["passage_id"] for c in p["context"]]
    ordinal = int(passage_id.rsplit(":", 1)[1])
    expected = [
        f"{CONSULTATION}:{n:04d}" for n in (ordinal - 2, ordinal - 1, ordinal + 1, ordinal + 2)
    ]
    assert context == expected
    assert passage_id not in context


def test_the_first_and_last_passages_have_one_neighbour(client: TestClient) -> None:
    refs = client.get(f"/documents/{PLEDGE}").json()["passages"]
    first = client.get(f"/passages/{refs[0]['passage_id']}", params={"context": 3}).json()
    last = client.get(f"/passages/{refs[-1]['passage_id']}").json()
    assert first["previous_id"] is None and first["next_id"] == refs[1]["passage_id"]
    assert [c["passage_id"] for c in first["context"]] == [r["passage_id"] for r in refs[1:4]]
    assert last["next_id"] is None and last["previous_id"] == refs[-2]["passage_id"]


@pytest.mark.parametrize(
    "path",
    [
        "/documents/no-such-document",
        f"/documents/{CONSULTATION}x",
        "/passages/no-such-passage",
        f"/passages/{CONSULTATION}:9999",
        f"/passages/{PLEDGE}",
        f"/passages/{PLEDGE}:0000x",
    ],
)
def test_unknown_ids_are_404_with_a_message(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert response.json()["message"]


def test_a_path_outside_the_routes_is_404(client: TestClient) -> None:
    assert client.get("/passages/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.parametrize("context", [-1, 21, "two"])
def test_a_bad_context_is_a_readable_422(client: TestClient, context: object) -> None:
    passage_id = f"{PLEDGE}:0000"
    response = client.get(f"/passages/{passage_id}", params={"context": context})
    assert response.status_code == 422
    assert "context" in response.json()["message"]


def test_health_reports_the_served_index(client: TestClient, built_index: BuiltIndex) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["documents"] == 2
    assert health["passages"] == built_index.report.passages
    manifest = health["manifest"]
    assert manifest["version"] == health["index_version"]
    assert manifest["documents"] == 2 and manifest["passages"] == health["passages"]
    assert manifest["model"] == "sentence-transformers/all-MiniLM-L6-v2"


def test_openapi_lists_every_path(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/search", "/documents", "/documents/{doc_id}", "/passages/{passage_id}"):
        assert path in paths, sorted(paths)
    assert "/health" in paths
    assert {"get", "post"} <= paths["/search"].keys()
