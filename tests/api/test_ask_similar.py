"""HTTP contract of /ask, /similar, /passages/{id}/similar and search highlights."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.utils.shared import CONSULTATION

pytestmark = pytest.mark.slow


def test_ask_answers_with_sentences_that_cite_returned_passages(client: TestClient) -> None:
    r = client.post("/ask", json={"question": "When was the Cartagena Declaration adopted?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answered"] and body["reason"] is None and body["mode"] == "extractive"
    assert "1984" in body["answer_text"]
    passages = {p["passage_id"]: p for p in body["passages"]}
    for s in body["answer"]:
        p = passages[s["passage_id"]]
        assert p["text"][s["start"] : s["end"]] == s["text"]
        assert s["citation"] == p["citation"]
    assert body["passages"][0]["passage_id"] == body["answer"][0]["passage_id"]


def test_ask_refuses_what_the_documents_do_not_answer(client: TestClient) -> None:
    r = client.post("/ask", json={"question": "What is the boiling point of water?"})
    assert r.status_code == 200
    body = r.json()
    assert body["answered"] is False and body["answer"] is None and body["passages"] == []
    assert "threshold" in body["reason"] and body["best_score"] < body["threshold"]


def test_ask_honours_filters(client: TestClient) -> None:
    r = client.post(
        "/ask", json={"question": "student visas", "doc": [CONSULTATION], "year_from": 2024}
    )
    assert r.status_code == 200
    assert {p["doc_id"] for p in r.json()["passages"]} == {CONSULTATION}


@pytest.mark.parametrize(
    "body",
    [
        {"question": ""},
        {"question": "   "},
        {"question": "x", "k": 0},
        {"question": "x", "year_from": 2025, "year_to": 2020},
        {"question": "x", "mode": "generative"},  # no endpoint configured: off
        {"question": "x", "doc": ["no-such-doc"]},
        {"question": "x", "surprise": 1},
    ],
)
def test_bad_ask_requests_are_422_with_a_message(client: TestClient, body: dict) -> None:
    r = client.post("/ask", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["message"]


def test_similar_returns_the_original_first_with_shared_phrases(
    client: TestClient, hiring_id: str
) -> None:
    draft = (
        "To prevent labor exploitation and human trafficking, set up mechanisms that facilitate, "
        "streamline and promote the hiring of migrants and refugees within countries."
    )
    r = client.post("/similar", json={"text": draft, "k": 5})
    assert r.status_code == 200, r.text
    top = r.json()["results"][0]
    assert top["passage_id"] == hiring_id and top["match"] == "reuse" and top["year"] == 2024
    marked = [top["text"][s["start"] : s["end"]] for s in top["shared"]]
    assert "to prevent labor exploitation and human trafficking" in marked
    assert top["highlights"] == top["shared"]


def test_similar_to_a_passage_leaves_it_out(client: TestClient, hiring_id: str) -> None:
    r = client.get(f"/passages/{hiring_id}/similar", params={"k": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["source_passage_id"] == hiring_id and len(body["results"]) == 5
    assert hiring_id not in {x["passage_id"] for x in body["results"]}


@pytest.mark.parametrize(
    ("method", "url", "payload", "status"),
    [
        ("post", "/similar", {"text": " \n "}, 422),
        ("post", "/similar", {"text": "... ---"}, 422),
        ("post", "/similar", {"text": "x", "k": 500}, 422),
        ("get", f"/passages/{CONSULTATION}:0000/similar?k=0", None, 422),
        ("get", "/passages/no-such:0001/similar", None, 404),
    ],
)
def test_bad_similar_requests(
    client: TestClient, method: str, url: str, payload: dict | None, status: int
) -> None:
    r = client.request(method.upper(), url, json=payload)
    assert r.status_code == status, r.text
    assert r.json()["message"]


def test_search_results_carry_highlights(client: TestClient) -> None:
    r = client.get("/search", params={"q": '"private sponsorship" resettlement', "k": 3})
    assert r.status_code == 200
    top = r.json()["results"][0]
    kinds = {h["kind"] for h in top["highlights"]}
    assert "phrase" in kinds and "term" in kinds
    texts = {top["text"][h["start"] : h["end"]].lower() for h in top["highlights"]}
    assert "private sponsorship" in texts
