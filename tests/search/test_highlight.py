"""Highlights: offsets of query terms, exact phrases and the best-matching sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.engine import Searcher
from search.highlight import highlight_hits, term_spans
from search.query import parse_query
from text.spans import split_sentences, tokens
from text.tokens import words

TEXT = (
    "Adopt measures for family reunification, e.g. in the U.N. Agencies (p. 4). "
    "Reunified families integrate better! Private sponsorship was also discussed."
)


def test_tokens_agree_with_words_and_point_at_the_text() -> None:
    toks = tokens("Refugiados: the “non-refoulement” principle, 1984.")
    assert [t.word for t in toks] == words("Refugiados: the “non-refoulement” principle, 1984.")
    assert [t.word for t in toks][:3] == ["refugiados", "the", "non"]
    for t in tokens(TEXT):
        assert words(TEXT[t.start : t.end]) == [t.word]


def test_tokens_agree_with_words_on_every_paragraph_of_the_corpus() -> None:
    # the ASCII fast path and the folding path must give the same words at the same offsets
    corpus = Path(__file__).resolve().parents[2] / "../shared/corpus/text"
    paragraphs = [
        p for f in sorted(corpus.iterdir()) for p in f.read_text().split("\n\n") if p.strip()
    ]
    paragraphs += ["Protección de las personas refugiadas y apátridas en la región", "ﬁnal ﬂows"]
    assert any(not p.isascii() for p in paragraphs) and any(p.isascii() for p in paragraphs)
    for text in paragraphs:
        toks = tokens(text)
        assert [t.word for t in toks] == words(text)
        assert all(words(text[t.start : t.end]) == [t.word] for t in toks)


def test_sentences_split_on_ends_not_on_abbreviations() -> None:
    got = [s.text for s in split_sentences(TEXT)]
    assert got == [
        "Adopt measures for family reunification, e.g. in the U.N. Agencies (p. 4).",
        "Reunified families integrate better!",
        "Private sponsorship was also discussed.",
    ]
    for s in split_sentences(TEXT):
        assert TEXT[s.start : s.end] == s.text


def test_terms_match_by_stem_and_phrases_as_a_whole() -> None:
    spans = term_spans(TEXT, parse_query('"family reunification" reunified families'))
    marked = {(TEXT[s.start : s.end], s.kind) for s in spans}
    assert ("family reunification", "phrase") in marked
    # "families" shares the stem of "family"; "Reunified" that of "reunified"
    assert {("family", "term"), ("families", "term"), ("Reunified", "term")} <= marked
    assert all(TEXT[s.start : s.end].lower() not in {"for", "the", "in"} for s in spans)


@pytest.mark.slow
def test_dense_hits_mark_their_best_sentence(searcher: Searcher) -> None:
    query = "private sponsorship to lower the cost of resettlement"
    hits = searcher.search(query, k=5, mode="dense")
    spans = highlight_hits(searcher, query, hits, "dense")
    assert all(s.kind == "sentence" for group in spans for s in group)
    best = next((h, g) for h, g in zip(hits, spans, strict=True) if "private sponsorship" in h.text)
    hit, group = best
    if group:  # a one-sentence passage gets no sentence mark: it would mark everything
        assert "sponsorship" in hit.text[group[0].start : group[0].end]
    assert hit.highlights == [(s.start, s.end) for s in group]


@pytest.mark.slow
def test_hybrid_hits_mark_terms_and_a_sentence(searcher: Searcher) -> None:
    query = "voluntary repatriation non-refoulement"
    hits = searcher.search(query, k=3, mode="hybrid")
    spans = highlight_hits(searcher, query, hits, "hybrid")
    top, marks = hits[0], spans[0]
    terms = {top.text[s.start : s.end].lower() for s in marks if s.kind == "term"}
    assert {"voluntary", "repatriation"} & terms
    for s in marks:
        assert 0 <= s.start < s.end <= len(top.text)
