"""Exact phrases found wherever passage boundaries fall (search/phrases.py).

A quoted sentence that runs from one passage into the next is wording of the document: it
must be found, in the passages it runs across, on the shared corpus and on a document in
Spanish whose accents the query may leave out.
"""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import pytest

from cartagena.settings import Settings
from embedding.base import Embedder
from index.models import Filters
from ingest.build import build_index
from search.engine import Searcher
from search.highlight import highlight_hits
from search.loader import load_searcher
from search.phrases import PhraseFinder, without_runs
from search.query import occurrences, parse_query
from tests.utils.shared import DOC_IDS, HEADERS
from text.spans import tokens
from text.tokens import fold, words

WORD = re.compile(r"\S+")


@pytest.mark.parametrize(
    "text",
    [
        "Refugees' rights, 1984-2024: non-refoulement.",
        "Migración y protección: São Paulo, Bogotá y Ciudad de México",
        "e\u0301xodo \ufb01nancial Stra\u00dfe \u0130stanbul \u00bfD\u00f3nde?",
        "",
    ],
)
def test_tokens_are_the_words_with_their_place_in_the_text(text: str) -> None:
    """What the phrase finder reads a document with (``text.spans.tokens``), on text
    normalised as ingest normalises it (NFKC: ligatures and decomposed accents composed)."""
    text = unicodedata.normalize("NFKC", text)
    toks = tokens(text)
    assert [t.word for t in toks] == words(text)
    for tok in toks:
        assert words(text[tok.start : tok.end]) == [tok.word], (tok, text[tok.start : tok.end])
        assert fold(text[tok.start : tok.end]).strip()


@pytest.mark.slow
def test_the_shared_documents_read_as_tokens_are_their_words(searcher: Searcher) -> None:
    for doc_id in DOC_IDS:
        _, text = searcher.store.document(doc_id)
        assert [t.word for t in tokens(text)] == words(text)


def test_occurrences_finds_every_start_of_the_phrase() -> None:
    tokens = ["a", "b", "a", "b", "c", "a", "b"]
    assert occurrences(tokens, ("a", "b")) == [0, 2, 5]
    assert occurrences(tokens, ("b", "c", "a")) == [3]
    assert occurrences(tokens, ("c", "b")) == []


def _window(text: str, start: int, end: int, extra: int) -> str:
    """``text[start:end]`` widened by ``extra`` whole words on each side."""
    before = [m.start() for m in WORD.finditer(text, 0, start)]
    after = [m.end() for m in WORD.finditer(text, end)]
    lo = before[-extra] if len(before) >= extra else 0
    hi = after[extra - 1] if len(after) >= extra else len(text)
    return text[lo:hi]


def _quoted(fragment: str) -> str:
    return '"' + " ".join(fragment.replace('"', " ").split()) + '"'


@pytest.mark.slow
@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_wording_across_every_passage_boundary_is_found_in_both_passages(
    searcher: Searcher, doc_id: str
) -> None:
    """For each two consecutive passages, a quote that starts before the second begins and
    ends after the first ends lies in neither alone; it finds both."""
    _, text = searcher.store.document(doc_id)
    spans = searcher.store.passage_spans(doc_id)
    ids = {h.passage_id: h for h in searcher.store.document_passages(doc_id)}
    row_id = {p.row: p.passage_id for p in searcher.store.passages() if p.passage_id in ids}
    assert len(spans) > 5
    missed = []
    for (row_a, a_start, a_end), (row_b, b_start, _) in zip(spans, spans[1:], strict=False):
        if b_start < a_start:  # a footnote passage placed out of reading order
            continue
        quote = _quoted(_window(text, min(a_end, b_start), max(a_end, b_start), 4))
        hits = searcher.search(quote, k=20, mode="lexical", filters=Filters(doc_ids=(doc_id,)))
        found = {h.passage_id for h in hits}
        if not {row_id[row_a], row_id[row_b]} <= found:
            missed.append(quote[:120])
    assert not missed, f"{len(missed)} boundary quotes not found in both passages: {missed[:3]}"


@pytest.mark.slow
def test_each_passage_marks_the_part_of_a_crossing_quote_it_holds(searcher: Searcher) -> None:
    """The first passage marks the quote's opening words up to its end, the next one the
    rest from its start: together the whole quote, where the reader can see it."""
    doc_id = DOC_IDS[0]
    _, text = searcher.store.document(doc_id)
    spans = searcher.store.passage_spans(doc_id)
    (_, _, a_end), (_, b_start, _) = next(
        (a, b) for a, b in zip(spans, spans[1:], strict=False) if b[1] < a[2]
    )  # two passages that overlap: no heading between them that neither holds
    quote = _quoted(_window(text, min(a_end, b_start), max(a_end, b_start), 4))
    phrase = words(quote)
    hits = searcher.search(quote, k=10, mode="lexical")
    highlight_hits(searcher, quote, hits, "lexical")
    marked = {
        h.char_start: [words(h.text[a:b]) for a, b in h.highlights if words(h.text[a:b])]
        for h in hits
    }
    first, second = (marked[start] for start in sorted(marked)[:2])
    opening = next(m for m in first if len(m) > 1)
    closing = next(m for m in second if len(m) > 1)
    assert phrase[: len(opening)] == opening and phrase[-len(closing) :] == closing
    assert len(opening) + len(closing) >= len(phrase)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["lexical", "hybrid", "dense"])
def test_any_stretch_of_a_document_is_found_by_phrase_search(searcher: Searcher, mode: str) -> None:
    """Seeded random stretches of 5 to 60 words, from anywhere in each document: paragraph
    ends, headings and passage boundaries included."""
    rng = random.Random(13)
    missed = []
    for doc_id in DOC_IDS:
        _, text = searcher.store.document(doc_id)
        marks = list(WORD.finditer(text))
        for n in (5, 12, 25, 60):
            for _ in range(15):
                i = rng.randrange(0, len(marks) - n)
                quote = _quoted(text[marks[i].start() : marks[i + n - 1].end()])
                if not any(h.doc_id == doc_id for h in searcher.search(quote, k=5, mode=mode)):
                    missed.append(quote[:100])
    assert not missed, f"{len(missed)} stretches not found: {missed[:3]}"


SPANISH = (
    "# Plan de Acción\n\n"
    "Los Estados se comprometen a "
    + ", ".join(
        f"fortalecer la protección número {i} de las personas refugiadas y desplazadas en "
        f"la región de América Latina y el Caribe"
        for i in range(1, 40)
    )
    + ". Así concluye la declaración conjunta de São Paulo.\n"
)


@pytest.mark.slow
def test_a_quote_across_a_cut_in_a_spanish_document_is_found_with_or_without_accents(
    tmp_path: Path, settings: Settings, embedder: Embedder
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan-es.md").write_text(SPANISH, encoding="utf-8")
    build_index(corpus, tmp_path / "index", settings, embedder)
    searcher = load_searcher(tmp_path / "index", settings, embedder)
    spans = searcher.store.passage_spans("plan-es")
    assert len(spans) >= 3, "the one long sentence should be cut into several passages"
    _, text = searcher.store.document("plan-es")
    (row_a, _, a_end), (row_b, b_start, _) = spans[0], spans[1]
    quote = _quoted(_window(text, min(a_end, b_start), max(a_end, b_start), 5))
    plain = fold(quote)
    assert quote != plain, "the quote should hold accents"
    for q in (quote, plain):
        hits = searcher.search(q, k=10, mode="lexical")
        assert {h.passage_id for h in hits} >= {
            p.passage_id for p in searcher.store.passages() if p.row in (row_a, row_b)
        }, q
    # the whole long sentence, as pasted from the document
    sentence = text[text.index("Los Estados") : text.index("São Paulo.") + len("São Paulo.")]
    assert len(sentence) > 1000
    tail = _quoted(sentence[sentence.index(" ", len(sentence) - 900) :])
    assert searcher.search(tail, k=10, mode="lexical")


@pytest.mark.slow
def test_a_quote_of_stop_words_lists_the_passages_that_hold_it_in_lexical_mode(
    searcher: Searcher,
) -> None:
    """BM25 scores no word of "in the"; the passages holding it are still the results."""
    hits = searcher.search('"in the"', k=10, mode="lexical")
    assert len(hits) == 10
    assert all(re.search(r"\bin\s+the\b", h.text, re.IGNORECASE) for h in hits)


@pytest.mark.parametrize(
    ("quote", "bare"),
    [
        ('"five persons)1, two Municipalities2,"', ("five", "persons", "two", "municipalities")),
        ('"persons\u00b9 and"', ("persons", "and")),
        ('"was noted8."', ("was", "noted")),
        # a word hyphenated at a line end, as a viewer copies it
        ('"resettle-\nment programs"', ("resettlement", "programs")),
        # numbers that belong to the wording stay
        ('"Article 22.7 of"', ("article", "22", "7", "of")),
        ('"Cartagena+40 and 2024-2034"', ("cartagena", "40", "and", "2024", "2034")),
        # the number a footnote starts with, as a viewer copies it, and Markdown source
        ('"1 Representatives of GAR-PAC"', ("representatives", "of", "gar", "pac")),
        ('"<sup>1</sup> Representatives of"', ("representatives", "of")),
        (
            '"Institutions<sup>6</sup> and [^7] the [Chile Plan](https://x.org/a b)"',
            ("institutions", "and", "the", "chile", "plan"),
        ),
        ('"G20 and CO2"', ("g20", "and", "co2")),
    ],
)
def test_what_a_pdf_viewer_adds_to_a_quote_is_dropped_from_its_fallback(
    quote: str, bare: tuple[str, ...]
) -> None:
    assert parse_query(quote).unmarked == (bare,)


@pytest.mark.slow
def test_a_compound_hyphenated_at_a_line_end_is_found_as_copied(searcher: Searcher) -> None:
    """ "self-\nreliance" is found as typed ("self" "reliance"); no fallback needed."""
    assert searcher.search('"economic inclusion, self-\nreliance, financial access"', k=3)


@pytest.mark.slow
@pytest.mark.parametrize(
    "quote",
    [
        '"Civil Society Organizations (five persons)1, two Municipalities or local governments2"',
        '"Civil Society Organizations (five persons)\u00b9, two Municipalities"',
    ],
)
def test_a_quote_copied_from_the_pdf_with_its_footnote_marks_is_found(
    searcher: Searcher, quote: str
) -> None:
    """The PDF viewer copies the superscript marks; the document's text has none."""
    hits = searcher.search(quote, k=5, mode="lexical")
    assert hits and all(h.doc_id == DOC_IDS[0] for h in hits)
    assert "Civil Society Organizations (five persons)" in hits[0].text
    highlight_hits(searcher, quote, hits, "lexical")
    marked = [hits[0].text[a:b] for a, b in hits[0].highlights]
    assert any(m.startswith("Civil Society Organizations (five persons)") for m in marked)


@pytest.mark.slow
def test_a_phrase_in_too_many_documents_is_matched_within_passages(searcher: Searcher) -> None:
    """Past ``max_documents_read`` candidate documents nothing is read whole (a bound on the
    cost at scale): a phrase inside a passage is still found, one across passages is not."""
    doc_id = DOC_IDS[0]
    _, text = searcher.store.document(doc_id)
    spans = searcher.store.passage_spans(doc_id)
    (_, _, a_end), (_, b_start, _) = next(
        (a, b) for a, b in zip(spans, spans[1:], strict=False) if b[1] < a[2]
    )
    crossing = words(_window(text, min(a_end, b_start), max(a_end, b_start), 4))
    inside = ("family", "reunification")
    bounded = PhraseFinder(searcher.store, max_documents_read=0)
    assert bounded.rows(inside) == searcher.phrases.rows(inside) != []
    assert searcher.phrases.rows(tuple(crossing)) and not bounded.rows(tuple(crossing))


def test_running_lines_are_taken_out_of_a_quote_with_any_page_number() -> None:
    header = ("cartagena", "#", "second", "thematic")
    quote = ("which", "cartagena", "40", "second", "thematic", "page", "6", "of", "12", "creates")
    assert without_runs(quote, [header, ("page", "#", "of", "#")]) == ("which", "creates")
    assert without_runs(("page", "one", "of"), [("page", "#", "of", "#")]) == ("page", "one", "of")


@pytest.mark.slow
def test_a_quote_copied_across_a_page_break_is_found_without_the_running_lines(
    searcher: Searcher,
) -> None:
    """A PDF viewer copies page 6's running header and page line into the middle of the
    sentence that runs from page 5 to page 6; the document's text holds neither."""
    header = HEADERS[DOC_IDS[0]]
    quote = (
        '"The European project University Corridors for Refugees (UNICORE) was referenced, '
        f"which {header} Page 6 of 12 creates a university corridor through which refugees "
        'access higher education"'
    )
    hits = searcher.search(quote, k=5, mode="lexical")
    assert hits and "creates a university corridor" in " ".join(h.text for h in hits)
    highlight_hits(searcher, quote, hits, "lexical")
    assert any(
        "university corridor" in h.text[a:b] for h in hits for a, b in h.highlights if b - a > 40
    )
    # running lines are taken out, nothing else: a changed word still finds nothing
    changed = quote.replace("creates a university", "creates no university")
    assert searcher.search(changed, k=5, mode="lexical") == []


@pytest.mark.slow
@pytest.mark.parametrize(
    "quote",
    [
        # a footnote copied from the PDF (its number first) or from the Markdown source
        '"1 Representatives of GAR-PAC; the Jesuit Service with Migrants LAC"',
        '"<sup>1</sup> Representatives of GAR-PAC; the Jesuit Service with Migrants LAC"',
    ],
)
def test_a_footnote_quoted_with_its_number_or_its_markup_is_found(
    searcher: Searcher, quote: str
) -> None:
    hits = searcher.search(quote, k=5, mode="hybrid")
    assert hits and hits[0].doc_id == DOC_IDS[0]
    assert "Representatives of GAR-PAC; the Jesuit Service" in hits[0].text


@pytest.mark.slow
def test_a_paragraph_longer_than_a_thousand_characters_is_found_quoted_whole(
    searcher: Searcher,
) -> None:
    """A negotiator pastes a whole paragraph; the longest of the consultation runs past 1,000
    characters (the old query cap)."""
    _, text = searcher.store.document(DOC_IDS[0])
    paragraph = max(text.split("\n"), key=len)
    assert len(paragraph) > 1000
    hits = searcher.search(f'"{paragraph}"', k=5, mode="hybrid")
    assert hits and all(h.doc_id == DOC_IDS[0] for h in hits)
    assert paragraph[:200] in " ".join(h.text for h in hits)


@pytest.mark.slow
def test_a_running_header_quoted_alone_finds_its_document_and_a_page_line_nothing(
    searcher: Searcher,
) -> None:
    """The header is printed on every page but is text of no passage: its document's first
    passage answers it. "Page 2 of 12" is in every PDF and names nothing."""
    for doc_id in DOC_IDS:
        hits = searcher.search(f'"{HEADERS[doc_id]}"', k=5, mode="lexical")
        assert [h.doc_id for h in hits] == [doc_id], (doc_id, hits)
        assert hits[0].char_start == searcher.store.passage_spans(doc_id)[0][1]
    assert searcher.search('"Page 2 of 12"', k=5, mode="hybrid") == []
    # one word changed: nothing
    changed = HEADERS[DOC_IDS[0]].replace("Second", "Third")
    assert searcher.search(f'"{changed}"', k=5, mode="lexical") == []
