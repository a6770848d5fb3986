"""Extractive answers: the few sentences of the best passages that answer a question.

Each sentence of the top passages is scored by the embedding model (cosine to the question)
and by lexical overlap (the share of the question's terms, weighted by IDF, that it contains).
A sentence may answer only when it *answers*, not when it is merely on the topic
(:mod:`search.question`): it holds the answer type the question asks for (a number for "how
many"), the question's numbers, names and ordinals ("2023", "FEMSA", "second meeting") are in
the sentence or its passage, and the IDF-weighted coverage of the question's terms and adjacent
word pairs by the sentence and its passage (title and section included) reaches
``answer_min_coverage``. The best answering sentences within a margin of the top one are
returned in reading order. Otherwise the question is refused with a reason that names what was
missing. The thresholds are calibrated by cross-validation (``cartagena eval --ask``, see the
"/ask" section of evals/REPORT.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from cartagena.settings import Settings
from index.models import Filters, Hit
from index.reader import IndexStore
from index.schema import anchored
from search.cognates import common_prefix
from search.engine import Searcher
from search.query import parse_query
from search.question import (
    ORDINAL_VALUES,
    TYPE_NAMES,
    Question,
    content_stems,
    has_type,
    read_question,
)
from search.sentence_vectors import sentence_vectors
from text.acronyms import written_acronyms
from text.language import query_language
from text.places import demonym_place
from text.spans import Sentence, split_sentences
from text.tokens import lexical_tokens, stem_words, words

# Question words that say nothing about the topic ("What did ... find about ...?"): left out
# of the overlap score (search.question has the longer list used for coverage).
QUESTION_WORDS = frozenset(
    lexical_tokens(
        "how does did do about describe described which kind find found say said tell whose",
        stopwords=False,
    )
)
MIN_SENTENCE_WORDS = 4
# Two stems of one word family may differ in their last letters: "present" / "presenc"
# (present, presence). Sharing this much of the longer one, a question term the sentence holds
# in another form counts as the passage's words do (``answer_context_weight``), not in full.
_FAMILY_PREFIX = 5
_FAMILY_SHARE = 0.8
# a refusal says a word is not in the documents only when no form of it is
_FORM_PREFIX, _FORM_SHARE = 6, 0.75
# A sentence that opens with a pronoun continues the one before it ("The Cartagena Declaration
# ... marked a milestone. It introduced a broadened definition ..."): shown alone, the first
# leaves out what the subject did and the second does not say what "it" is.
# "It was noted that ..." / "It is essential to ..." refer to nothing: the report's voice.
_REFERS_BACK = re.compile(
    r"(?!it (?:is|was|has been|had been|will be|would be)(?: (?:also|further|therefore|\w+ly))?"
    r" \w+ (?:that|to)\b)"
    r"(?:it|its|this|these|they|their|such)\b",
    re.IGNORECASE,
)
_MAX_JOINED = 2  # sentences joined on each side of an answer sentence
# An answer sentence this short is a list's entry or a label ("From Mexico: Mabe and FEMSA.",
# "C+40 Secretariat: ..."): alone it does not say what it lists, the sentence before it does.
_FRAGMENT_WORDS = 6
_FOCUS_WINDOW = 4  # content words between the two ends of a focus phrase ("UNHCR representative")
_MAX_GAP = 3  # characters between two sentences of one run (spaces, a paragraph break)
LANGUAGE_NAMES = {"es": "Spanish", "pt": "Portuguese"}


@dataclass
class AnswerSentence:
    text: str
    passage_id: str
    doc_id: str
    citation: str
    year: int | None
    start: int  # offsets in the passage text
    end: int
    doc_start: int  # offsets in the document's normalised text
    doc_end: int
    score: float
    cosine: float
    overlap: float


@dataclass
class Answer:
    question: str
    sentences: list[AnswerSentence]
    passages: list[Hit]
    best_score: float
    reason: str | None = None
    threshold: float = 0.0
    extra: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # what a refusal found missing
    language: str = "en"  # the question's, as read: answers are extracted for English only

    @property
    def answered(self) -> bool:
        return bool(self.sentences)

    @property
    def text(self) -> str | None:
        return " ".join(s.text for s in self.sentences) or None


def overlap(sentence: str, weights: dict[str, float]) -> float:
    """Weighted share of the question's terms that the sentence contains (0..1)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    present = set(lexical_tokens(sentence))
    return sum(w for t, w in weights.items() if t in present) / total


def score_sentences(searcher: Searcher, text: str, hits: list[Hit]) -> list[AnswerSentence]:
    """Every sentence of ``hits`` worth reading, scored against the question's ``text`` (its
    quotes taken off); duplicates from overlapping chunks once."""
    terms = [t for t in dict.fromkeys(lexical_tokens(text)) if t not in QUESTION_WORDS]
    weights = searcher.store.idf(terms)
    seen: set[tuple[str, ...]] = set()
    found: list[tuple[Hit, int, int, str]] = []
    read_as: list[str] = []
    for hit in hits:
        spans = split_sentences(hit.text)
        for i, s in enumerate(spans):
            key = tuple(words(s.text))
            if len(key) < MIN_SENTENCE_WORDS or key in seen:
                continue
            seen.add(key)
            found.append((hit, s.start, s.end, s.text))
            # a footnote's sentence is read after its anchor ("Private Sector (five
            # representatives): From Mexico: Mabe and FEMSA."): alone it does not say what it
            # lists; a sentence that refers back ("It incorporated statelessness as a new area
            # of protection") after what it refers to, the sentences before it in its paragraph
            read = " ".join(x.text for x in [*_referred(hit.text, spans, i), s])
            read_as.append(anchored(hit.anchor, read) if hit.anchor else read)
    if not found:
        return []
    cosines = sentence_vectors(searcher.embedder).encode(read_as, searcher.store) @ (
        searcher.embed_query(text)
    )
    w = searcher.settings.answer_lexical_weight
    out = []
    for (hit, start, end, _), cos, read in zip(found, cosines, read_as, strict=True):
        lex = overlap(read, weights)
        out.append(
            AnswerSentence(
                **_located(hit, start, end),
                score=round((1 - w) * float(cos) + w * lex, 4),
                cosine=round(float(cos), 4),
                overlap=round(lex, 4),
            )
        )
    return out


def _referred(text: str, spans: list[Sentence], at: int) -> list[Sentence]:
    """What sentence ``at`` of ``text`` refers back to when it opens with a pronoun: up to
    ``_MAX_JOINED`` sentences before it in its paragraph ("In 2014, the Brazil Declaration and
    Plan of Action was adopted ... The ten-year roadmap ... It incorporated statelessness")."""
    if not _REFERS_BACK.match(spans[at].text):
        return []
    out: list[Sentence] = []
    for x in reversed(spans[max(0, at - _MAX_JOINED) : at]):
        gap = text[x.end : (out[0] if out else spans[at]).start]
        if "\n\n" in gap or len(gap) > _MAX_GAP:
            break
        out.insert(0, x)
    return out


@dataclass
class Check:
    """Whether one sentence answers the question, and what it lacks when it does not."""

    sentence: AnswerSentence
    typed: bool  # holds the answer type asked for
    coverage: float  # IDF-weighted terms and adjacent pairs held by the sentence or its passage
    absent: list[str]  # must terms (numbers, names, ordinals) neither holds

    def ok(self, min_coverage: float, meaning: tuple[float, float] = (1.0, 1.0)) -> bool:
        """Type, must terms, and the question's words covered; or, for a sentence that means
        what the question asks (cosine at least ``meaning[0]``), a lower share of them
        (``meaning[1]``): "Which European initiative giving refugees a route into universities
        was mentioned?" is answered by "The European project University Corridors for Refugees
        (UNICORE) was referenced", which has neither "giving" nor "route"."""
        if not self.typed or self.absent:
            return False
        if self.coverage >= min_coverage:
            return True
        cosine, coverage = meaning
        return self.sentence.cosine >= cosine and self.coverage >= coverage


def spelled_out(
    q: Question, acronyms: dict[str, tuple[str, ...]], known: dict[str, int]
) -> Question:
    """``q`` with the words it uses that the documents never do replaced by the documents'
    words for them: an acronym written in capitals by the words of the name it stands for
    ("According to the IDB, ..." asks about the Inter-American Development Bank,
    text.acronyms), and the name of a country's people by the country's ("Mexican companies"
    are the companies listed "From Mexico", text.places)."""
    swap = {
        t: acronyms[t] for t in q.terms if t not in known and t in acronyms and t.upper() in q.text
    }
    surface = dict(q.surface)
    for t in q.terms:
        place = None if t in known or t in swap else demonym_place(q.show(t))
        stem = stem_words([place])[0] if place else ""
        if place and stem in known:
            swap[t] = (stem,)
            surface.setdefault(stem, place)
    if not swap:
        return q

    def spelled(stems: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x for t in stems for x in swap.get(t, (t,))))

    return replace(q, terms=spelled(q.terms), names=spelled(q.names), surface=surface)


def _in_family(
    term: str,
    stems: Iterable[str],
    prefix: int = _FAMILY_PREFIX,
    share: float = _FAMILY_SHARE,
) -> bool:
    """Whether ``stems`` hold another form of ``term``'s word: a stem sharing its first
    ``prefix`` letters and ``share`` of the longer one ("present" / "presenc"). A refusal
    looks in the whole vocabulary, more strictly (``_FORM_PREFIX``, ``_FORM_SHARE``):
    "recognit" / "recogn" are one word there, "particip" / "particular" are not."""
    if len(term) < prefix:
        return False
    return any(common_prefix(term, x) >= max(prefix, share * max(len(term), len(x))) for x in stems)


def _as_held(term: str, stems: set[str]) -> str:
    """``term`` as ``stems`` hold it: itself, or the form of its word they use."""
    if term in stems:
        return term
    return next((x for x in sorted(stems) if _in_family(term, [x])), term)


def _near(seq: list[str], a: str, b: str, window: int) -> bool:
    """``a`` and ``b`` within ``window`` content words of each other, in either order: "the
    Assistant High Commissioner for Operations of UNHCR" is the "UNHCR Assistant"."""
    at = [i for i, x in enumerate(seq) if x == a]
    return any(abs(i - j) <= window for j, x in enumerate(seq) if x == b for i in at)


def _adjacent(seq: list[str], a: str, b: str, gap: int = 1) -> bool:
    """``b`` follows ``a`` within ``gap`` content words in ``seq``."""
    return any(x == a and b in seq[i + 1 : i + 1 + gap] for i, x in enumerate(seq))


@dataclass
class PassageContext:
    """What every sentence of one passage is checked against, read once per passage and not
    once per sentence."""

    seq: list[str]  # content stems of citation, title, section, anchor and text, in order
    stems: set[str]  # those, and the acronyms whose names they write
    sentences: list[Sentence]
    text: str


def passage_context(
    hit: Hit, known: dict[str, int], acronyms: dict[str, tuple[str, ...]] | None = None
) -> PassageContext:
    # the citation names the document's place and year: "(Brasilia, 2024)"
    # and a footnote's anchor says what the note is a note to
    context = f"{hit.citation}. {hit.title}. {hit.section}. {hit.anchor}. {hit.text}"
    seq = content_stems(context, known)
    stems = set(seq) | (set(written_acronyms(context, acronyms)) if acronyms else set())
    return PassageContext(seq, stems, split_sentences(hit.text), hit.text)


def check_sentence(
    s: AnswerSentence,
    passage: PassageContext,
    q: Question,
    weights: dict[str, float],
    settings: Settings,
    known: dict[str, int],
    acronyms: dict[str, tuple[str, ...]] | None = None,
) -> Check:
    """Type, must terms and coverage of one sentence, its passage standing as context; an
    acronym holds the words of its name ("the 2023 GRF": Global Refugee Forum)."""
    sent_seq = content_stems(s.text, known)
    at = next((i for i, x in enumerate(passage.sentences) if x.start == s.start), None)
    if at is not None:
        # "It introduced a broadened definition": what "it" is, the sentences before say
        before = " ".join(x.text for x in _referred(passage.text, passage.sentences, at))
        sent_seq = content_stems(before, known) + sent_seq
    ctx_seq, ctx = passage.seq, passage.stems
    sent = set(sent_seq)
    if acronyms:
        sent |= set(written_acronyms(s.text, acronyms))
    total = sum(weights.values())
    ctx_w = settings.answer_context_weight
    if total:
        unigram = sum(
            w * (1.0 if t in sent else ctx_w if t in ctx or _in_family(t, sent) else 0.0)
            for t, w in weights.items()
        )
        unigram /= total
    else:
        unigram = 0.0
    if q.phrases:
        pair_w = [weights.get(a, 0) + weights.get(b, 0) for a, b in q.phrases]
        held = [
            1.0 if _adjacent(sent_seq, a, b) else ctx_w if _adjacent(ctx_seq, a, b) else 0.0
            for a, b in q.phrases
        ]
        pairs = sum(w * h for w, h in zip(pair_w, held, strict=True)) / (sum(pair_w) or 1.0)
    else:
        pairs = unigram
    beta = settings.answer_phrase_weight
    coverage = (1 - beta) * unigram + beta * pairs
    # "Who was the president of ...": evidence without "president" answers something else.
    # ("Latin American states" are held as "States from Latin America")
    either = sent | ctx
    absent = [q.show(t) for t in q.focus if t not in either and not _in_family(t, either)]
    if len(q.focus) > 1 and not absent:
        # "the UNHCR representative" is one thing: "the representative from ACCOR ... with
        # UNHCR" holds its words, not it
        a, b = (_as_held(t, either) for t in (q.focus[0], q.focus[-1]))
        if not any(_near(seq, a, b, _FOCUS_WINDOW) for seq in (sent_seq, ctx_seq)):
            absent.append(" ".join(q.show(t) for t in q.focus))
    absent += [n for n in q.numbers if n not in sent]
    # "Latin American" is named where the passage says "Latin America"
    absent += [q.show(n) for n in q.names if n not in ctx and not _in_family(n, ctx)]
    absent += [
        f"{o} {q.show(t)}"
        for o, t in q.ordinals
        if not any(
            _adjacent(seq, o, t, 2) or _adjacent(seq, t, ORDINAL_VALUES.get(o, o), 1)
            for seq in (sent_seq, ctx_seq)
        )
    ]
    return Check(s, has_type(s.text, q), round(coverage, 4), absent)


def refusal(
    q: Question, checks: list[Check], known: dict[str, int], min_cov: float, threshold: float
) -> tuple[str, list[str]]:
    """The reason for refusing, naming what was missing, and the missing items themselves."""
    # "recognition" is mentioned when the documents say "recognize": never claim otherwise
    unknown = [
        t
        for t in q.terms
        if t not in known
        and not t.isdigit()
        and not _in_family(t, known, _FORM_PREFIX, _FORM_SHARE)
    ]
    unknown += [n for n in q.numbers if n not in known]
    if unknown:
        shown = [q.show(t) for t in dict.fromkeys(unknown)]
        return "the documents do not mention " + _quoted(shown), shown
    kind = TYPE_NAMES.get(q.kind or "", "")
    on_terms = [c for c in checks if not c.absent and c.coverage >= min_cov]
    if kind and on_terms and not any(c.typed for c in on_terms):
        return f'no sentence on the question\'s terms gives {kind} for "{q.cue}"', [kind]
    best = max(checks, key=lambda c: (-len(c.absent), c.coverage, c.sentence.score))
    if best.absent:
        held = [q.show(t) for t in q.terms if t in set(content_stems(best.sentence.text, known))]
        absent = list(dict.fromkeys(best.absent))
        held = [w for w in held if not any(w in a.split() for a in absent)]
        together = f" together with {_quoted(held)}" if held else ""
        return f"the documents do not mention {_quoted(absent)}{together}", absent
    missing = [q.show(t) for t in q.terms if t not in set(content_stems(best.sentence.text, known))]
    if kind and (not best.typed or not any(c.typed for c in checks)):
        return f'no sentence gives {kind} for "{q.cue}"', [kind, *missing]
    if not kind and not best.typed:
        # a topic question's sentence fails the type only as a schedule's entry
        entry = best.sentence.text
        return f'the closest sentence only schedules it, saying when, not what: "{entry}"', missing
    if best.coverage >= min_cov:
        return (
            f"the sentences that hold the question's terms are too far from it in meaning "
            f"(best {best.sentence.score:.2f}, below {threshold:.2f})",
            missing,
        )
    return (
        f"no sentence covers the question's terms: the closest ({best.coverage:.2f} of the "
        f"terms, below {min_cov:.2f}) lacks {_quoted(missing) or 'their wording together'}",
        missing,
    )


def _quoted(items: list[str]) -> str:
    quoted = [f'"{x}"' for x in items]
    return (
        quoted[0]
        if len(quoted) == 1
        else ", ".join(quoted[:-1]) + " and " + quoted[-1]
        if quoted
        else ""
    )


def choose(scored: list[AnswerSentence], settings: Settings) -> list[AnswerSentence]:
    """The best sentences within the margin of the top one, in reading order."""
    ranked = sorted(scored, key=lambda s: -s.score)
    floor = max(settings.answer_min_score, ranked[0].score - settings.answer_margin)
    chosen = [s for s in ranked if s.score >= floor][: settings.answer_max_sentences]
    doc_order = list(dict.fromkeys(s.doc_id for s in chosen))
    return sorted(chosen, key=lambda s: (doc_order.index(s.doc_id), s.doc_start))


def _located(hit: Hit, start: int, end: int) -> dict[str, Any]:
    """The text and citation fields of an answer sentence at ``start:end`` of ``hit``."""
    return {
        "text": hit.text[start:end],
        "passage_id": hit.passage_id,
        "doc_id": hit.doc_id,
        "citation": hit.citation,
        "year": hit.year,
        "start": start,
        "end": end,
        "doc_start": hit.char_start + start,
        "doc_end": hit.char_start + end,
    }


def _sentence_in(hit: Hit, start: int, end: int, like: AnswerSentence) -> AnswerSentence:
    """The sentence at ``start:end`` of ``hit``'s text, scored as the sentence it goes with."""
    return replace(like, **_located(hit, start, end))


def _across(
    s: AnswerSentence, hit: Hit, neighbour: Hit | None, forward: bool, n: int
) -> list[AnswerSentence]:
    """Up to ``n`` sentences that continue ``s`` (forward) or that it continues (backward) in
    the passage beside ``hit``: a chunk boundary must not cut "According to studies conducted
    by the World Bank (WB), ..." from "These studies show that ...". Only text that follows on
    (a gap of spaces) counts, so a footnote or a passage elsewhere is never joined."""
    if neighbour is None or n <= 0 or neighbour.is_footnote != hit.is_footnote:
        return []
    spans = split_sentences(neighbour.text)
    out: list[AnswerSentence] = []
    if forward:
        at = s.doc_end
        for x in spans:
            begin = neighbour.char_start + x.start
            if begin < at:
                continue  # in the overlap with ``hit``
            if begin - at > _MAX_GAP or not _REFERS_BACK.match(x.text) or len(out) == n:
                break
            out.append(_sentence_in(neighbour, x.start, x.end, s))
            at = neighbour.char_start + x.end
        return out
    at, current = s.doc_start, s
    for x in reversed(spans):
        finish = neighbour.char_start + x.end
        if finish > at:
            continue
        if at - finish > _MAX_GAP or not _REFERS_BACK.match(current.text) or len(out) == n:
            break
        current = _sentence_in(neighbour, x.start, x.end, s)
        out.insert(0, current)
        at = neighbour.char_start + x.start
    return out


def with_referents(
    chosen: list[AnswerSentence], by_id: dict[str, Hit], store: IndexStore | None = None
) -> list[AnswerSentence]:
    """Each answer sentence joined with the sentences of its passage that refer back to it
    and, when it opens with a pronoun or is a list's short entry (``_FRAGMENT_WORDS``), with
    the sentence it continues; overlapping
    results in one passage become one. With ``store``, a run that reaches the edge of its
    passage goes on in the passage beside it (added to ``by_id``), as a sentence of its own
    with that passage's citation."""
    out: list[AnswerSentence] = []
    for s in chosen:
        hit = by_id[s.passage_id]
        spans = split_sentences(hit.text)  # as score_sentences split it: ``s`` is one of them
        at = next(i for i, x in enumerate(spans) if x.start == s.start)
        a = b = at
        while a > 0 and at - a < _MAX_JOINED and _REFERS_BACK.match(spans[a].text):
            a -= 1
        a = min(a, at - len(_referred(hit.text, spans, at)))  # as it was scored and checked
        if a == at > 0 and len(words(s.text)) < _FRAGMENT_WORDS:
            a -= 1
        while b + 1 < len(spans) and b - at < _MAX_JOINED and _REFERS_BACK.match(spans[b + 1].text):
            b += 1
        start, end = min(spans[a].start, s.start), max(spans[b].end, s.end)
        prev = out[-1] if out else None
        if prev is not None and prev.passage_id == s.passage_id and start < prev.end:
            start, end = min(start, prev.start), max(end, prev.end)
            s = max(prev, s, key=lambda x: x.score)
            out.pop()
        joined = _sentence_in(hit, start, end, s)
        before: list[AnswerSentence] = []
        after: list[AnswerSentence] = []
        if store is not None and (a == 0 or b == len(spans) - 1):
            side = {
                h.char_start < hit.char_start: h
                for h in store.neighbours(hit.passage_id, 1)
                if h.passage_id != hit.passage_id
            }
            if a == 0:
                before = _across(joined, hit, side.get(True), False, _MAX_JOINED - (at - a))
            if b == len(spans) - 1:
                after = _across(joined, hit, side.get(False), True, _MAX_JOINED - (b - at))
            for extra in before + after:
                by_id.setdefault(extra.passage_id, side[extra.doc_start < joined.doc_start])
        out += [*before, joined, *after]
    return _once(out)


def with_notes(
    chosen: list[AnswerSentence], q: Question, store: IndexStore, by_id: dict[str, Hit]
) -> list[AnswerSentence]:
    """Each answer sentence followed by the footnotes it cites that list what the question
    asks for (``Question.lists_asked``): "Which local governments took part?" is answered by
    "... two Municipalities or local governments², ..." only with note 2, which names them."""
    if q.asked is None:
        return chosen
    notes: dict[str, list[Hit]] = {}  # the document's footnotes that list what is asked
    out: list[AnswerSentence] = []
    for s in chosen:
        out.append(s)
        if s.doc_id not in notes:
            notes[s.doc_id] = [h for h in store.document_passages(s.doc_id) if q.lists_asked(h)]
        said = " ".join(words(s.text))
        for note in notes[s.doc_id]:
            if " ".join(words(note.anchor)) in said and all(
                o.passage_id != note.passage_id for o in out
            ):
                by_id.setdefault(note.passage_id, note)
                out.append(_sentence_in(note, 0, len(note.text), s))
    return out


def _once(sentences: list[AnswerSentence]) -> list[AnswerSentence]:
    """Each stretch of a document once: a sentence joined from the passage beside one answer
    may be another answer's own."""
    out: list[AnswerSentence] = []
    for s in sentences:
        if any(
            o.doc_id == s.doc_id and o.doc_start <= s.doc_start and s.doc_end <= o.doc_end
            for o in out
        ):
            continue
        out = [
            o
            for o in out
            if not (o.doc_id == s.doc_id and s.doc_start <= o.doc_start and o.doc_end <= s.doc_end)
        ]
        out.append(s)
    return out


def answer_question(
    searcher: Searcher,
    question: str,
    k: int | None = None,
    filters: Filters | None = None,
) -> Answer:
    settings = searcher.settings
    threshold = settings.answer_min_score
    parsed = parse_query(question)
    hits = searcher.search(parsed, k=k or settings.answer_passages, filters=filters)
    text = parsed.text
    language = query_language(text)
    if language != "en":
        # The checks that let a sentence answer (answer type, must terms, coverage) read
        # English; unchecked, a Spanish or Portuguese question would be answered blind or
        # refused for "missing" words such as "que". Say so, and give the passages search
        # found for it (cross-lingual retrieval: evals/REPORT.md).
        reason = (
            f"answers are extracted for questions in English only; this question reads as "
            f"{LANGUAGE_NAMES.get(language, language)}: the passages are what search finds for it"
        )
        return Answer(question, [], hits, 0.0, reason, threshold, language=language)
    scored = score_sentences(searcher, text, hits)
    if not scored:
        reason = "no passage matches the question" + (" and the filters" if filters else "")
        return Answer(question, [], hits, 0.0, reason, threshold)
    best = max(s.score for s in scored)
    known = searcher.store.vocabulary
    acronyms = searcher.store.acronyms
    q = spelled_out(read_question(text, known), acronyms, known)
    if best < threshold:
        reason = (
            f"nothing in the documents answers this closely enough: the best sentence scores "
            f"{best:.2f}, below the threshold {threshold:.2f}"
        )
        retrieved = set(
            content_stems(
                " ".join(f"{h.title} {h.section} {h.anchor} {h.text}" for h in hits), known
            )
        )
        missing = [q.show(t) for t in q.terms if t not in retrieved]
        # its passages would be noise
        return Answer(question, [], [], best, reason, threshold, {"type": q.kind}, missing)
    # A word the documents never use weighs as much as the rarest word they do, no more: an
    # unknown "behalf" must not outweigh everything the sentence does hold.
    n = searcher.store.lexical_documents
    rarest = math.log(1 + (n - 0.5) / 1.5)
    weights = {
        t: min(w, rarest) * (1.0 if t in known else settings.answer_unknown_weight)
        for t, w in searcher.store.idf(list(q.terms)).items()
    }
    by_id = {h.passage_id: h for h in hits}
    contexts = {pid: passage_context(h, known, acronyms) for pid, h in by_id.items()}
    checks = [
        check_sentence(s, contexts[s.passage_id], q, weights, settings, known, acronyms)
        for s in scored
    ]
    min_cov = settings.answer_min_coverage
    floor = settings.answer_sentence_min_score
    meaning = (settings.answer_meaning_cosine, settings.answer_meaning_coverage)
    answering = [c.sentence for c in checks if c.ok(min_cov, meaning) and c.sentence.score >= floor]
    # "Which cooperating countries were present?": the note that lists them answers, however
    # little its bare list of names resembles the question (Question.lists_asked)
    listing = [
        c.sentence
        for c in checks
        if c.typed and not c.absent and q.lists_asked(by_id[c.sentence.passage_id])
    ]
    extra = {"type": q.kind, "coverage": max(c.coverage for c in checks)}
    if not answering and not listing:
        reason, missing = refusal(q, checks, known, min_cov, threshold)
        return Answer(question, [], [], best, reason, threshold, extra, missing)
    chosen = with_referents(choose(answering, settings), by_id, searcher.store) if answering else []
    chosen = with_notes(chosen, q, searcher.store, by_id)
    chosen += [s for s in listing if all(c.passage_id != s.passage_id for c in chosen)]
    cited = list(dict.fromkeys(s.passage_id for s in chosen))
    retrieved = {h.passage_id for h in hits}
    beside = [h for pid, h in by_id.items() if pid in cited and pid not in retrieved]
    passages = sorted(hits, key=lambda h: (h.passage_id not in cited, h.rank))
    passages[len(cited) - len(beside) : len(cited) - len(beside)] = beside
    return Answer(question, chosen, passages, best, None, threshold, extra)
