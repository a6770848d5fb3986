"""The server-rendered page: tabs, highlights, citations, escaping and security headers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.utils.shared import CONSULTATION
from web.render import marked


def test_marks_are_built_from_offsets_and_text_is_escaped() -> None:
    html = str(marked("<b>a</b> & b", [(0, 3, "term"), (1, 8, "sentence")], {4: ["p-x:1"]}))
    assert html == (
        '<mark class="term">&lt;</mark><mark class="sentence term">b&gt;</mark>'
        '<mark class="sentence">a</mark><span class="anchor" id="p-x:1"></span>'
        '<mark class="sentence">&lt;/b&gt;</mark> &amp; b'
    )


@pytest.mark.slow
def test_home_page_has_tabs_filters_and_safe_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for tab in ("tab-search", "tab-ask", "tab-similar"):
        assert f'id="{tab}"' in r.text
    assert 'name="mode"' in r.text and 'name="doc"' in r.text and 'name="kind"' in r.text
    assert 'name="viewport"' in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"]
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in r.text and " style=" not in r.text  # nothing inline
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "clipboard" in js.text


@pytest.mark.slow
def test_search_results_are_marked_and_cited(client: TestClient) -> None:
    r = client.get("/", params={"q": '"private sponsorship"', "mode": "hybrid", "k": 3})
    assert r.status_code == 200
    assert '<mark class="phrase' in r.text
    assert "Copy citation" in r.text and 'data-copy="Conclusions and Recommendations' in r.text
    assert re.search(r'href="/view/passages/[^"]+/similar"', r.text)
    assert re.search(r'href="/view/documents/[^"]+\?passage=[^"]+#p-[^"]+"', r.text)


@pytest.mark.slow
def test_a_footnote_result_says_what_it_is_a_note_to(client: TestClient) -> None:
    r = client.get("/", params={"q": '"World Bank, IMF, CAF"', "k": 3})
    assert r.status_code == 200
    assert '<p class="note-to">Footnote to: “three International Financial Institutions”</p>' in (
        r.text
    )
    try:
        es = client.get("/", params={"q": '"World Bank, IMF, CAF"', "k": 3, "lang_ui": "es"})
        assert "Nota al pie sobre: “three International Financial Institutions”" in es.text
    finally:
        client.cookies.clear()  # the switch set the language cookie of the shared client


@pytest.mark.slow
def test_ask_tab_says_a_spanish_question_gets_passages_not_an_answer(client: TestClient) -> None:
    question = "¿Cuándo se adoptó la Declaración de Cartagena?"
    try:
        r = client.get("/", params={"tab": "ask", "question": question, "lang_ui": "es"})
        assert r.status_code == 200
        assert "Las respuestas se extraen solo de preguntas en inglés" in r.text
        assert "Sin respuesta en los documentos" not in r.text
        assert "adopted in 1984" in r.text
    finally:
        client.cookies.clear()  # the switch set the language cookie of the shared client


@pytest.mark.slow
def test_ask_tab_shows_the_answer_or_says_there_is_none(client: TestClient) -> None:
    r = client.get(
        "/", params={"tab": "ask", "question": "When was the Cartagena Declaration adopted?"}
    )
    assert r.status_code == 200 and 'class="answer-sentence"' in r.text and "1984" in r.text
    r = client.get("/", params={"tab": "ask", "question": "What is the boiling point of water?"})
    assert r.status_code == 200 and 'class="no-answer"' in r.text
    assert 'class="answer-sentence"' not in r.text


@pytest.mark.slow
def test_similar_views_mark_shared_wording(client: TestClient, hiring_id: str) -> None:
    r = client.get(f"/view/passages/{hiring_id}/similar")
    assert r.status_code == 200 and "Similar language" in r.text
    draft = "set up mechanisms to prevent labor exploitation and human trafficking"
    r = client.get("/", params={"tab": "similar", "text": draft})
    assert r.status_code == 200 and '<mark class="shared">' in r.text
    assert client.get("/view/passages/nope:0001/similar").status_code == 404


@pytest.mark.slow
def test_document_view_anchors_every_passage(client: TestClient, hiring_id: str) -> None:
    docs = client.get(f"/documents/{CONSULTATION}").json()
    r = client.get(f"/view/documents/{CONSULTATION}", params={"passage": hiring_id})
    assert r.status_code == 200
    for p in docs["passages"]:
        assert f'id="p-{p["passage_id"]}"' in r.text
    assert r.text.count('<mark class="cited">') >= 1
    assert client.get("/view/documents/nope").status_code == 404


@pytest.mark.slow
def test_bad_form_input_is_a_message_not_a_crash(client: TestClient) -> None:
    r = client.get("/", params={"q": "visas", "year_from": "soon"})
    assert r.status_code == 422 and 'class="error"' in r.text
    r = client.get("/", params={"q": "visas", "doc": "no-such-doc"})
    assert r.status_code == 422 and "no-such-doc" in r.text


@pytest.mark.slow
def test_document_text_and_queries_cannot_inject_html(hostile_client: TestClient) -> None:
    pages = [
        hostile_client.get("/", params={"q": "refugees protection", "mode": "lexical"}),
        hostile_client.get("/", params={"q": "<script>alert(9)</script> refugees"}),
        hostile_client.get("/", params={"tab": "similar", "text": "refugees deserve protection"}),
        hostile_client.get("/view/documents/hostile-notes-2021"),
        hostile_client.get("/view/documents/hostile-2021"),
    ]
    doc = hostile_client.get("/documents/hostile-notes-2021").json()
    assert "<script>alert(3)</script>" in doc["text"]  # the text really holds the tags
    passage = doc["passages"][0]["passage_id"]
    pages.append(hostile_client.get(f"/view/passages/{passage}/similar"))
    for page in pages:
        assert page.status_code == 200, page.text
        body = page.text
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>tags" not in body
        assert "onerror=alert" not in body.replace("&lt;img src=x onerror=alert", "")
    results = pages[0].text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in results
    assert "&lt;script&gt;alert(9)&lt;/script&gt;" in pages[1].text
    assert "&lt;b&gt;tags&lt;/b&gt;" in pages[3].text
