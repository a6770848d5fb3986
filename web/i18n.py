"""The page's words in English, Spanish and Portuguese, and which of them a visitor gets.

Most users of the Cartagena Process write Spanish or Portuguese. The language is chosen by, in
order: an explicit ``?lang_ui=es`` (the switch in the page header; remembered in a cookie), the
cookie, the browser's Accept-Language, English. Only the interface is translated: document
text, titles and citations stay as the documents have them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

UI_LANGUAGES = ("en", "es", "pt")
DEFAULT = "en"
COOKIE = "ui_lang"
PARAM = "lang_ui"
# each language named in itself, for the switch
NATIVE_NAMES = {"en": "English", "es": "Español", "pt": "Português"}

MESSAGES: dict[str, tuple[str, str, str]] = {
    # key: (English, Spanish, Portuguese)
    "tagline": (
        "Cartagena Process documents, every passage cited",
        "Documentos del Proceso de Cartagena, cada pasaje citado",
        "Documentos do Processo de Cartagena, cada trecho citado",
    ),
    "ui_language": ("Interface language", "Idioma de la interfaz", "Idioma da interface"),
    "tabs": ("Mode", "Modo", "Modo"),
    "tab_search": ("Search", "Buscar", "Pesquisar"),
    "tab_ask": ("Ask", "Preguntar", "Perguntar"),
    "tab_similar": ("Similar language", "Lenguaje similar", "Linguagem semelhante"),
    "search_label": (
        "Search the documents",
        "Buscar en los documentos",
        "Pesquisar nos documentos",
    ),
    "search_placeholder": (
        'family reunification, "non-refoulement"',
        'reunificación familiar, "no devolución"',
        'reunificação familiar, "não devolução"',
    ),
    "mode": ("Mode", "Modo", "Modo"),
    "ask_label": ("Ask a question", "Haga una pregunta", "Faça uma pergunta"),
    "ask_placeholder": (
        "When was the Cartagena Declaration adopted?",
        "¿Cuándo se adoptó la Declaración de Cartagena?",
        "Quando foi adotada a Declaração de Cartagena?",
    ),
    "similar_label": (
        "Paste a draft formulation",
        "Pegue un borrador de redacción",
        "Cole uma minuta de redação",
    ),
    "similar_placeholder": (
        "A recommendation as you would draft it",
        "Una recomendación tal como la redactaría",
        "Uma recomendação como você a redigiria",
    ),
    "filters": ("Filters", "Filtros", "Filtros"),
    "document": ("Document", "Documento", "Documento"),
    "all_documents": ("All documents", "Todos los documentos", "Todos os documentos"),
    "kind": ("Kind", "Tipo", "Tipo"),
    "any_kind": ("Any kind", "Cualquier tipo", "Qualquer tipo"),
    "year_from": ("From year", "Desde el año", "A partir do ano"),
    "year_to": ("To year", "Hasta el año", "Até o ano"),
    "language": ("Language", "Idioma", "Idioma"),
    "any_language": ("Any language", "Cualquier idioma", "Qualquer idioma"),
    "lang_en": ("English", "Inglés", "Inglês"),
    "lang_es": ("Spanish", "Español", "Espanhol"),
    "lang_pt": ("Portuguese", "Portugués", "Português"),
    "go_search": ("Search", "Buscar", "Pesquisar"),
    "go_ask": ("Ask", "Preguntar", "Perguntar"),
    "go_similar": (
        "Find similar language",
        "Buscar lenguaje similar",
        "Buscar linguagem semelhante",
    ),
    "results": ("Results", "Resultados", "Resultados"),
    "passages_one": ("{n} passage", "{n} pasaje", "{n} trecho"),
    "passages_many": ("{n} passages", "{n} pasajes", "{n} trechos"),
    "answer": ("Answer", "Respuesta", "Resposta"),
    "english_only": (
        "Answers are extracted for questions in English only. These are the passages search "
        "finds for your question:",
        "Las respuestas se extraen solo de preguntas en inglés. Estos son los pasajes que la "
        "búsqueda encuentra para su pregunta:",
        "As respostas são extraídas apenas de perguntas em inglês. Estes são os trechos que a "
        "pesquisa encontra para a sua pergunta:",
    ),
    "no_answer": (
        "No answer in the documents:",
        "Sin respuesta en los documentos:",
        "Sem resposta nos documentos:",
    ),
    "supporting": ("Supporting passages", "Pasajes de apoyo", "Trechos de apoio"),
    "copy_citation": ("Copy citation", "Copiar cita", "Copiar citação"),
    "note_to": ("Footnote to", "Nota al pie sobre", "Nota de rodapé sobre"),
    "copied": ("Copied", "Copiada", "Copiada"),
    "copy_failed": ("Press Ctrl+C", "Pulse Ctrl+C", "Pressione Ctrl+C"),
    "read_in_context": ("Read in context", "Leer en contexto", "Ler no contexto"),
    "no_similar": (
        "No similar passages.",
        "No hay pasajes similares.",
        "Nenhum trecho semelhante.",
    ),
    "shared_wording": ("shared wording", "redacción compartida", "redação compartilhada"),
    "similar_meaning": ("similar meaning", "significado similar", "significado semelhante"),
    "reuse": ("reuse", "reutilización", "reutilização"),
    "similar_intro": (
        "Passages worded like this one, in all documents: shared wording first, then similar "
        "meaning.",
        "Pasajes redactados como este, en todos los documentos: primero la redacción "
        "compartida, luego el significado similar.",
        "Trechos redigidos como este, em todos os documentos: primeiro a redação "
        "compartilhada, depois o significado semelhante.",
    ),
    "pages_passages": (
        "{pages} pages · {passages} passages",
        "{pages} páginas · {passages} pasajes",
        "{pages} páginas · {passages} trechos",
    ),
    "back": ("Back to search", "Volver a la búsqueda", "Voltar à pesquisa"),
}


def translator(language: str) -> Callable[..., str]:
    """``t(key, **fields)``: the message in ``language`` (English for an unknown language)."""
    column = UI_LANGUAGES.index(language) if language in UI_LANGUAGES else 0

    def t(key: str, **fields: object) -> str:
        text = MESSAGES[key][column]
        return text.format(**fields) if fields else text

    return t


def from_accept_language(header: str) -> str | None:
    """The supported language the browser prefers most ("pt-BR,pt;q=0.9,en;q=0.8" -> "pt");
    None when it names none of them. Malformed entries are ignored, never an error."""
    best: tuple[float, int] | None = None
    chosen = None
    for position, entry in enumerate(header.split(",")):
        tag, _, params = entry.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in UI_LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        rank = (-quality, position)
        if best is None or rank < best:
            best, chosen = rank, primary
    return chosen


def choose(
    query: Mapping[str, str], cookies: Mapping[str, str], accept_language: str
) -> tuple[str, bool]:
    """(language, explicit): explicit when the query asked for it, to be remembered."""
    asked = query.get(PARAM, "")
    if asked in UI_LANGUAGES:
        return asked, True
    remembered = cookies.get(COOKIE, "")
    if remembered in UI_LANGUAGES:
        return remembered, False
    return from_accept_language(accept_language) or DEFAULT, False
