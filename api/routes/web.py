"""The web page: search, ask and similar-language tabs, and the document view (HTML).

Server-rendered with Jinja2 (autoescaped); highlights become ``<mark>`` only through
``web.render.marked``, from offsets. The only script is /static/app.js (copy buttons).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api.deps import SearcherDep
from api.schemas import AskRequest, AskResponse, SearchRequest, SimilarRequest
from api.views import ask_response, filters_of
from cartagena.errors import CartagenaError, UnknownDocumentError, UnknownPassageError
from corpus.catalog import KINDS, LANGUAGES
from search.engine import Searcher
from search.similar import SimilarHit
from service import queries as usecases
from web import TEMPLATES_DIR, i18n
from web.render import marked

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["marked"] = marked
TABS = ("search", "ask", "similar")
# a year: the visitor chose the interface language once
_COOKIE_AGE = 365 * 24 * 3600


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """Render in the visitor's interface language (web.i18n), with the switch to the others;
    an explicit choice (``?lang_ui=``) is remembered in a cookie."""
    language, explicit = i18n.choose(
        request.query_params, request.cookies, request.headers.get("accept-language", "")
    )
    switch = [
        (code, i18n.NATIVE_NAMES[code], _with_param(request, i18n.PARAM, code))
        for code in i18n.UI_LANGUAGES
    ]
    context = {**context, "t": i18n.translator(language), "ui_lang": language, "switch": switch}
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    if explicit:
        response.set_cookie(
            i18n.COOKIE, language, max_age=_COOKIE_AGE, samesite="lax", httponly=True
        )
    return response


def _with_param(request: Request, name: str, value: str) -> str:
    """This page's path and query with ``name`` set to ``value`` (a relative link)."""
    url = request.url.include_query_params(**{name: value})
    return f"{url.path}?{url.query}"


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
            for e in exc.errors()
        )
    return str(exc)


def _filters(params: dict[str, Any]) -> dict[str, Any]:
    """The filter fields that were filled in (empty form fields mean 'any')."""
    return {k: v for k, v in params.items() if v not in (None, "", [], [""])}


def _search(searcher: Searcher, req: SearchRequest) -> list[dict[str, Any]]:
    """The API's search (service.queries), its hits and marks as the template shows them."""
    result = usecases.search(searcher, req.q, req.k, req.mode, filters_of(req))
    return [
        {"hit": h, "marks": [(s.start, s.end, s.kind) for s in m]}
        for h, m in zip(result.hits, result.marks, strict=True)
    ]


def _ask(searcher: Searcher, req: AskRequest) -> AskResponse:
    """The API's answer, as the /ask endpoint returns it (the template reads its fields)."""
    result = usecases.ask(searcher, req.question, req.k, filters_of(req), req.mode)
    return ask_response(result, req)


def _answer_marks(answer: AskResponse) -> dict[str, list[tuple[int, int, str]]]:
    """Per supporting passage, the answer sentences it holds, to mark them in its text."""
    marks: dict[str, list[tuple[int, int, str]]] = {}
    for s in answer.answer or []:
        marks.setdefault(s.passage_id, []).append((s.start, s.end, "sentence"))
    return marks


def _similar_items(found: list[SimilarHit]) -> list[dict[str, Any]]:
    return [
        {
            "hit": s.hit,
            "marks": [(a, b, "shared") for a, b in s.shared],
            "match": s.match,
            "reuse": s.reuse,
            "cosine": s.cosine,
        }
        for s in found
    ]


@router.get("/", response_class=HTMLResponse)
def index(
    request: Request,
    searcher: SearcherDep,
    tab: str = "search",
    q: str = "",
    question: str = "",
    text: str = "",
    mode: str = "hybrid",
    k: int = 10,
    doc: Annotated[list[str] | None, Query()] = None,
    kind: Annotated[list[str] | None, Query()] = None,
    year_from: str = "",
    year_to: str = "",
    lang: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The page; a filled-in tab also shows its results (search, answer or similar language)."""
    tab = tab if tab in TABS else "search"
    form = {
        "doc": doc or [],
        "kind": kind or [],
        "year_from": year_from,
        "year_to": year_to,
        "lang": lang or [],
    }
    filters = _filters(form)
    context: dict[str, Any] = {
        "tab": tab,
        "q": q,
        "question": question,
        "text": text,
        "mode": mode,
        "k": k,
        "form": form,
        "documents": usecases.documents(searcher),
        "kinds": KINDS,
        "languages": LANGUAGES,
        "error": None,
    }
    status = 200
    try:
        if tab == "search" and q.strip():
            context["results"] = _search(
                searcher,
                SearchRequest(q=q, mode=mode, k=k, **filters),
            )
        elif tab == "ask" and question.strip():
            answer = context["answer"] = _ask(searcher, AskRequest(question=question, **filters))
            context["answer_marks"] = _answer_marks(answer)
        elif tab == "similar" and text.strip():
            req = SimilarRequest(text=text, k=k)
            found = usecases.similar_to_text(searcher, req.text, req.k).hits
            context["similar"] = _similar_items(found)
    except (ValidationError, CartagenaError) as exc:
        context["error"] = _message(exc)
        status = 422
    return _page(request, "index.html", context, status)


@router.get("/view/documents/{doc_id}", response_class=HTMLResponse)
def document_view(
    request: Request, doc_id: str, searcher: SearcherDep, passage: str = ""
) -> Response:
    """The whole normalised text, an anchor per passage (#p-<passage id>), the cited one marked."""
    try:
        doc, body, passages = usecases.document(searcher, doc_id)
    except UnknownDocumentError as exc:
        return _not_found(request, str(exc))
    anchors: dict[int, list[str]] = {}
    for p in passages:
        anchors.setdefault(p.char_start, []).append(f"p-{p.passage_id}")
    cited = [(p.char_start, p.char_end, "cited") for p in passages if p.passage_id == passage]
    context = {"doc": doc, "html": marked(body, cited, anchors), "passage": passage}
    return _page(request, "document.html", context)


@router.get("/view/passages/{passage_id}/similar", response_class=HTMLResponse)
def similar_view(
    request: Request,
    passage_id: str,
    searcher: SearcherDep,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """Similar language: passages worded like this one across all documents."""
    try:
        source, result = usecases.similar_to_stored(searcher, passage_id, k)
    except UnknownPassageError as exc:
        return _not_found(request, str(exc))
    context = {"source": source, "similar": _similar_items(result.hits)}
    return _page(request, "similar.html", context)


def _not_found(request: Request, message: str) -> Response:
    return _page(request, "error.html", {"message": message}, 404)
