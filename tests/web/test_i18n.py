"""The page in English, Spanish and Portuguese: Accept-Language, the switch and its cookie."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web.i18n import MESSAGES, UI_LANGUAGES, choose, from_accept_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-CO,es;q=0.9,en;q=0.8", "es"),
        ("pt-BR,pt;q=0.9,en-US;q=0.8", "pt"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,pt;q=0.5,es;q=0.4", "pt"),  # the best one we have
        ("es;q=0.2, pt;q=0.7", "pt"),  # by quality, not order
        ("de, es;q=0", None),  # q=0 means "not this one"
        ("", None),
        ("es;q=abc,;;,pt-", "pt"),  # malformed parts ignored, never an error
        ("*", None),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert from_accept_language(header) == expected


def test_explicit_choice_then_cookie_then_header_then_english() -> None:
    assert choose({"lang_ui": "pt"}, {"ui_lang": "es"}, "es") == ("pt", True)
    assert choose({"lang_ui": "fr"}, {"ui_lang": "es"}, "pt") == ("es", False)
    assert choose({}, {"ui_lang": "xx"}, "pt-BR") == ("pt", False)
    assert choose({}, {}, "de-DE") == ("en", False)


def test_every_message_has_all_three_languages() -> None:
    for key, texts in MESSAGES.items():
        assert len(texts) == len(UI_LANGUAGES) and all(t.strip() for t in texts), key
        # the same {fields} in every language
        fields = {tuple(re.findall(r"{(\w+)}", t)) for t in texts}
        assert len(fields) == 1, key


@pytest.fixture
def fresh(client: TestClient) -> TestClient:
    """The session's app with a cookie jar of its own: a language cookie set here stays here."""
    return TestClient(client.app, raise_server_exceptions=False)


def _lang(html: str) -> str:
    found = re.search(r'<html lang="(\w+)">', html)
    assert found, "no <html lang>"
    return found.group(1)


@pytest.mark.slow
def test_english_by_default(fresh: TestClient) -> None:
    r = fresh.get("/")
    assert r.status_code == 200 and _lang(r.text) == "en"
    assert "Search the documents" in r.text and "All documents" in r.text
    assert 'name="lang"' in r.text and ">Spanish</option>" in r.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("header", "lang", "label", "button"),
    [
        ("es-CO,es;q=0.9", "es", "Buscar en los documentos", "Copiar cita"),
        ("pt-BR,pt;q=0.9,en;q=0.5", "pt", "Pesquisar nos documentos", "Copiar citação"),
    ],
)
def test_accept_language_picks_the_page_language(
    fresh: TestClient, header: str, lang: str, label: str, button: str
) -> None:
    r = fresh.get("/", params={"q": "student visas", "k": 2}, headers={"Accept-Language": header})
    assert r.status_code == 200 and _lang(r.text) == lang
    assert label in r.text and button in r.text
    assert "Search the documents" not in r.text and "Copy citation" not in r.text
    # the documents' own words do not change: the English citation stays English
    assert "Conclusions and Recommendations" in r.text
    assert "set-cookie" not in r.headers  # only an explicit choice is remembered


@pytest.mark.slow
def test_switch_is_remembered_and_beats_the_header(fresh: TestClient) -> None:
    r = fresh.get("/", params={"lang_ui": "pt"}, headers={"Accept-Language": "es"})
    assert _lang(r.text) == "pt" and "ui_lang=pt" in r.headers["set-cookie"]
    r = fresh.get("/", params={"tab": "ask"}, headers={"Accept-Language": "es"})
    assert _lang(r.text) == "pt" and "Faça uma pergunta" in r.text
    r = fresh.get("/", params={"lang_ui": "en"})
    assert _lang(r.text) == "en" and "Ask a question" not in r.text  # search tab, English
    assert "Search the documents" in r.text


@pytest.mark.slow
def test_switch_links_keep_the_query(fresh: TestClient) -> None:
    r = fresh.get("/", params={"q": "student visas", "k": 3})
    found = re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+" id="ui-lang-\w+"', r.text)
    assert {lang for _, lang in found} == {"en", "es", "pt"}
    for href, lang in found:
        href = href.replace("&amp;", "&")
        assert "q=student+visas" in href and f"lang_ui={lang}" in href and "k=3" in href


@pytest.mark.slow
def test_other_pages_are_translated(fresh: TestClient, hiring_id: str) -> None:
    es = {"Accept-Language": "es"}
    r = fresh.get(f"/view/passages/{hiring_id}/similar", headers=es)
    assert r.status_code == 200 and "<h1>Lenguaje similar</h1>" in r.text
    doc = hiring_id.split(":")[0]
    r = fresh.get(f"/view/documents/{doc}", headers=es)
    assert r.status_code == 200 and "páginas ·" in r.text and "pasajes" in r.text
    r = fresh.get("/view/documents/no-such-doc", headers={"Accept-Language": "pt"})
    assert r.status_code == 404 and "Voltar à pesquisa" in r.text


@pytest.mark.slow
def test_language_filter_on_the_page(fresh: TestClient) -> None:
    # the shared corpus is English: Spanish documents only gives no passages, not an error
    r = fresh.get("/", params={"q": "student visas", "lang": "es"})
    assert r.status_code == 200 and "0 passages" in r.text
    r = fresh.get("/", params={"q": "student visas", "lang": "en", "k": 2})
    assert r.status_code == 200 and "2 passages" in r.text
    r = fresh.get("/", params={"q": "student visas", "lang": "fr"})
    assert r.status_code == 422 and 'class="error"' in r.text and "lang" in r.text
