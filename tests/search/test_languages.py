"""Documents in Spanish and Portuguese: language recorded, stemmed in it, filtered, cited in it.

A small index of three documents written here (a Spanish PDF of two pages, a Portuguese and an
English Markdown file), built with the real model.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cartagena.errors import InvalidUploadError
from cartagena.settings import Settings
from corpus.catalog import DocumentMeta
from embedding.base import Embedder
from index.models import Filters, Hit
from ingest.build import build_index, with_language
from ingest.chunk import citation
from ingest.managed import UploadMeta, store_upload
from ingest.models import Block, ParsedDocument
from search.engine import Searcher
from search.loader import load_searcher
from tests.utils.pdfs import layout_pdf, paragraph

ES_PAGE_1 = [
    "Los Estados de la región reafirmaron su compromiso con la protección internacional",
    "de las personas refugiadas y de los solicitantes de asilo en las Américas.",
]
ES_PAGE_2 = [
    "La migración forzada por la violencia y los desastres exige respuestas coordinadas",
    "entre los gobiernos, la sociedad civil y los organismos internacionales.",
]
PT_TEXT = """# Proteção de crianças

As crianças desacompanhadas e separadas das suas famílias devem receber acolhimento
imediato, tutela e acesso à educação, em todos os procedimentos de determinação da condição
de refugiado.

# Documentação

Os governos comprometeram-se a emitir documentos de identidade aos apátridas e a facilitar a
naturalização das pessoas apátridas residentes no seu território.
"""
EN_TEXT = """# Labour inclusion

Employers described how they hire refugees and recognise the professional qualifications
obtained in their countries of origin, which speeds up access to formal jobs.
"""
ES_DOC, PT_DOC, EN_DOC = "consulta-regional-2024", "protecao-infancia-2023", "labour-note-2025"


@dataclass
class Multilingual:
    searcher: Searcher
    client: TestClient


@pytest.fixture(scope="module")
def multi(
    tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder
) -> Iterator[Multilingual]:
    corpus = tmp_path_factory.mktemp("multilingual-corpus")
    layout_pdf(
        corpus / f"{ES_DOC}.pdf",
        [paragraph(700, ES_PAGE_1), paragraph(700, ES_PAGE_2)],
        footer=None,
    )
    (corpus / f"{PT_DOC}.md").write_text(PT_TEXT)
    (corpus / f"{EN_DOC}.md").write_text(EN_TEXT)
    index = tmp_path_factory.mktemp("multilingual-index")
    build_index(corpus, index, settings, embedder)
    searcher = load_searcher(index, settings, embedder)
    from api.app import create_app

    with TestClient(create_app(index, settings), raise_server_exceptions=False) as client:
        yield Multilingual(searcher, client)


def _top(searcher: Searcher, query: str, **kw: object) -> Hit:
    hits = searcher.search(query, k=3, mode="lexical", **kw)  # type: ignore[arg-type]
    assert hits, f"nothing found for {query!r}"
    return hits[0]


def test_each_document_records_its_detected_language(multi: Multilingual) -> None:
    langs = {d.doc_id: d.language for d in multi.searcher.store.documents()}
    assert langs == {ES_DOC: "es", PT_DOC: "pt", EN_DOC: "en"}
    listed = multi.client.get("/documents").json()
    rows = listed if isinstance(listed, list) else listed["documents"]
    assert {d["doc_id"]: d["language"] for d in rows} == langs


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("migraciones forzadas", "La migración forzada"),  # plural and feminine plural
        ("migracion", "La migración forzada"),  # no accent
        ("refugiado", "personas refugiadas"),
        ("criança desacompanhada", "crianças desacompanhadas"),  # singular
        ("naturalizacao dos apatridas", "naturalização das pessoas apátridas"),
    ],
)
def test_stemmed_and_accent_folded_in_the_documents_language(
    multi: Multilingual, query: str, fragment: str
) -> None:
    hit = _top(multi.searcher, query)
    assert fragment in hit.text
    assert hit.language == ("es" if hit.doc_id == ES_DOC else "pt")


def test_query_coverage_reads_the_query_in_each_indexed_language(multi: Multilingual) -> None:
    # English stemming keeps "forzadas" whole, which no document holds; Spanish finds both
    assert multi.searcher.lexical_coverage("migraciones forzadas") == 1.0
    assert multi.searcher.lexical_coverage("hiring refugees") == 1.0
    assert multi.searcher.lexical_coverage("zzzz qqqq") == 0.0


def test_english_terms_still_stemmed_in_english(multi: Multilingual) -> None:
    hit = _top(multi.searcher, "hiring refugee qualification")
    assert hit.doc_id == EN_DOC and hit.language == "en"


def test_lang_filter_keeps_only_that_language(multi: Multilingual) -> None:
    for lang, doc in (("es", ES_DOC), ("pt", PT_DOC), ("en", EN_DOC)):
        for mode in ("lexical", "dense", "hybrid"):
            hits = multi.searcher.search(
                "refugiados refugees", k=10, mode=mode, filters=Filters(languages=(lang,))
            )
            assert hits and {h.doc_id for h in hits} == {doc}, (lang, mode)
            assert {h.language for h in hits} == {lang}


def test_lang_filter_over_http(multi: Multilingual) -> None:
    r = multi.client.get("/search", params={"q": "refugiados", "lang": "pt", "mode": "hybrid"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results and {h["doc_id"] for h in results} == {PT_DOC}
    assert {h["language"] for h in results} == {"pt"}
    r = multi.client.post("/search", json={"q": "migración", "lang": ["es", "pt"]})
    assert r.status_code == 200
    assert {h["doc_id"] for h in r.json()["results"]} <= {ES_DOC, PT_DOC}
    r = multi.client.post("/ask", json={"question": "¿Qué exige la migración?", "lang": ["es"]})
    assert r.status_code == 200
    assert {p["doc_id"] for p in r.json()["passages"]} <= {ES_DOC}


@pytest.mark.parametrize("bad", ["fr", "EN", "spanish"])
def test_unknown_lang_is_a_422_that_says_so(multi: Multilingual, bad: str) -> None:
    r = multi.client.get("/search", params={"q": "refugiados", "lang": bad})
    assert r.status_code == 422
    assert "lang" in r.text and "'es'" in r.text
    r = multi.client.post("/ask", json={"question": "refugiados", "lang": [bad]})
    assert r.status_code == 422


def test_spanish_passages_are_cited_in_spanish(multi: Multilingual) -> None:
    hit = _top(multi.searcher, "migración forzada")
    assert hit.doc_id == ES_DOC
    assert hit.citation.endswith(f"pág. {hit.page_start}"), hit.citation


def test_highlights_follow_the_documents_language(multi: Multilingual) -> None:
    r = multi.client.get("/search", params={"q": "migraciones", "mode": "lexical"})
    hit = r.json()["results"][0]
    marked = [hit["text"][s["start"] : s["end"]] for s in hit["highlights"] if s["kind"] == "term"]
    assert marked == ["migración"]


@pytest.mark.parametrize(
    ("language", "one", "many", "note"),
    [
        ("en", "p. 3", "pp. 3-4", "n. 7"),
        ("es", "pág. 3", "págs. 3-4", "n. 7"),
        ("pt", "p. 3", "p. 3-4", "n. 7"),
    ],
)
def test_citation_page_words(language: str, one: str, many: str, note: str) -> None:
    meta = DocumentMeta(id="d", title="T", year=2024, place="Quito", language=language)
    assert citation(meta, ["1. Intro"], "3", "3") == f"T (Quito, 2024), 1. Intro, {one}"
    assert citation(meta, [], "3", "4") == f"T (Quito, 2024), {many}"
    assert citation(meta, [], "3", None, "7") == f"T (Quito, 2024), {one}, {note}"


def test_a_given_language_is_kept_else_detected() -> None:
    doc = ParsedDocument(
        doc_id="d",
        path="d.md",
        format="markdown",
        blocks=[Block("paragraph", "Las personas refugiadas necesitan protección y documentos.")],
    )
    assert with_language(DocumentMeta(id="d", title="T"), doc).language == "es"
    assert with_language(DocumentMeta(id="d", title="T", language="pt"), doc).language == "pt"


def test_an_upload_in_another_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidUploadError, match="use one of en, es, pt"):
        store_upload(tmp_path, "nota.md", b"# Note\n\nTexte.", UploadMeta(language="fr"))
    stored = store_upload(tmp_path, "nota.md", b"# Nota\n\nTexto.", UploadMeta(language="es"))
    assert stored.exists()
