"""Extractive answers on the real corpus: cited evidence for dev questions, refusals otherwise.

The thresholds are cross-validated by ``cartagena eval --ask ... --crossval 4`` (evals/REPORT.md,
"/ask: answering and refusing"); run ``pytest tests/search/test_answer.py -m slow -rA`` to see
the figures logged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from evals.gold import load_gold
from evals.relevance import Passage, hits
from index.models import Filters
from search.answer import Answer, _in_family, answer_question, spelled_out
from search.engine import Searcher
from search.generate import check_citations
from search.question import has_type, read_question
from service import queries as usecases
from tests.utils.local import http_server

log = logging.getLogger(__name__)
UNRELATED = [
    "What is the boiling point of water?",
    "Who won the 2018 FIFA World Cup?",
    "How do I bake sourdough bread?",
    "What is the capital of Australia?",
    "How many moons does Jupiter have?",
    "Explain how a transistor works.",
    "What is the best programming language for beginners?",
    "When did the Roman Empire fall?",
    "What is photosynthesis?",
    "Who painted the Mona Lisa?",
    "How tall is Mount Everest?",
    "What is the price of bitcoin today?",
    "What is the capital of France?",
    "How do I bake bread?",
]
# The dev figure before refusals were added: answered with a sentence on the gold evidence.
DEV_ON_EVIDENCE_FLOOR = 23


@pytest.fixture(scope="module")
def dev_answers(searcher: Searcher, shared_dir: Path) -> list[tuple]:
    gold = load_gold(shared_dir / "evals" / "cartagena-dev.jsonl")
    return [(q, answer_question(searcher, q.query)) for q in gold if not q.is_spanish]


@pytest.fixture(scope="module")
def unanswerable(searcher: Searcher, shared_dir: Path) -> dict[str, Answer]:
    path = shared_dir / "evals" / "cartagena-dev-unanswerable.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return {d["id"]: answer_question(searcher, d["question"]) for d in lines}


@pytest.mark.slow
def test_dev_questions_are_answered_with_cited_evidence(dev_answers: list[tuple]) -> None:
    answered = [a for _, a in dev_answers if a.answered]
    on_evidence = [
        q.id
        for q, a in dev_answers
        if any(hits(Passage(s.doc_id, s.text), span) for s in a.sentences for span in q.relevant)
    ]
    log.warning(
        "dev: %d/%d answered, %d on evidence", len(answered), len(dev_answers), len(on_evidence)
    )
    assert len(on_evidence) >= DEV_ON_EVIDENCE_FLOOR
    for _, a in dev_answers:
        assert a.answered or a.reason  # a refusal always says why


@pytest.mark.slow
def test_answer_sentences_are_cited_and_in_reading_order(dev_answers: list[tuple]) -> None:
    for _, a in dev_answers:
        if not a.answered:
            continue
        assert 1 <= len(a.sentences) <= 3
        by_id = {p.passage_id: p for p in a.passages}
        docs_seen: list[str] = []
        for s in a.sentences:
            passage = by_id[s.passage_id]  # every sentence cites a returned passage
            assert passage.text[s.start : s.end] == s.text
            assert s.citation == passage.citation
            assert s.doc_start == passage.char_start + s.start
            if not docs_seen or docs_seen[-1] != s.doc_id:
                assert s.doc_id not in docs_seen  # one run of sentences per document
                docs_seen.append(s.doc_id)
        for x, y in zip(a.sentences, a.sentences[1:], strict=False):
            if x.doc_id == y.doc_id:
                assert x.doc_start <= y.doc_start


@pytest.mark.slow
def test_unrelated_questions_are_refused_with_a_reason(searcher: Searcher) -> None:
    threshold = searcher.settings.answer_min_score
    scores = []
    for question in UNRELATED:
        a = answer_question(searcher, question)
        scores.append(round(a.best_score, 3))
        assert not a.answered, (question, a.text)
        assert a.text is None and a.passages == []
        assert a.reason
    log.warning("unrelated best scores: %s (threshold %s)", sorted(scores), threshold)


@pytest.mark.slow
def test_questions_the_documents_do_not_answer_are_refused(
    unanswerable: dict[str, Answer],
) -> None:
    answered = {i: a.text for i, a in unanswerable.items() if a.answered}
    log.warning("unanswerable dev: %d/%d refused", len(unanswerable) - len(answered), 12)
    assert len(answered) <= 1, answered
    for a in unanswerable.values():
        if not a.answered:
            assert a.reason and a.passages == []
            assert a.missing or "below the threshold" in a.reason


@pytest.mark.slow
def test_refusals_name_what_is_missing(unanswerable: dict[str, Answer]) -> None:
    # the year the documents never give
    assert "2027" in _why(unanswerable["dun-07"])
    # the term that makes the question specific, not the topic ("refugees in Peru")
    assert "unemployment" in _why(unanswerable["dun-02"])
    # the meeting the documents mention is the first, not the second
    assert "second meeting" in _why(unanswerable["dun-06"])
    # the topic is there ("2023", "Brazil", refugees) but no figure answers "how many"
    assert "a number" in _why(unanswerable["dun-01"])


def _why(a: Answer) -> str:
    assert not a.answered, a.text
    return f"{a.reason} {a.missing}"


@pytest.mark.slow
def test_a_near_miss_is_answered_when_the_documents_do_say_it(searcher: Searcher) -> None:
    """The guard against refusing everything: the first meeting is in the calendar."""
    a = answer_question(
        searcher,
        "When will the first meeting of the Follow-Up and Coordination Mechanism take place?",
    )
    assert a.answered and "July 2025" in (a.text or "")
    b = answer_question(searcher, "How many participants attended the meeting?")
    assert b.answered and "150" in (b.text or "")


@pytest.mark.slow
def test_a_sentence_that_refers_back_is_answered_with_what_it_refers_to(
    searcher: Searcher,
) -> None:
    """ "It introduced a broadened definition" says what the declaration did; the sentence
    before it says which declaration "it" is: the answer holds both, in reading order."""
    a = answer_question(searcher, "What did the 1984 Cartagena Declaration introduce?")
    assert a.answered, a.reason
    text = a.text or ""
    named = text.find("The Cartagena Declaration on Refugees, adopted in 1984")
    assert 0 <= named < text.find("It introduced a broadened definition of refugees")
    for s in a.sentences:
        passage = next(p for p in a.passages if p.passage_id == s.passage_id)
        assert passage.text[s.start : s.end] == s.text


@pytest.mark.slow
def test_a_sentence_that_refers_back_is_read_with_its_paragraph_before_it(
    searcher: Searcher,
) -> None:
    """ "It incorporated statelessness as a new area of protection" is about the Brazil Plan of
    Action, named two sentences before it ("The ten-year roadmap" between them): scored,
    checked and shown with both, it answers, and the answer says what "it" is."""
    a = answer_question(
        searcher, "What new protection area did the 2014 Brazil Plan of Action add?"
    )
    assert a.answered, a.reason
    text = a.text or ""
    named = text.find("In 2014, the Brazil Declaration and Plan of Action")
    assert 0 <= named < text.find("It incorporated statelessness as a new area of protection")


@pytest.mark.slow
def test_a_list_entry_is_answered_with_the_sentence_it_continues(searcher: Searcher) -> None:
    """ "From Mexico: Mabe and FEMSA." answers which Mexican companies came, but alone it does
    not say it lists the private sector's representatives: the sentence before it does, and
    the answer holds both, in reading order."""
    a = answer_question(searcher, "Which Mexican companies took part for the private sector?")
    assert a.answered, a.reason
    text = a.text or ""
    entry = text.find("From Mexico: Mabe and FEMSA.")
    assert entry > 0 and text.find("From Brazil, ACCOR and Foundever") < entry
    assert "From Brazil" not in text[entry:]


@pytest.mark.slow
def test_a_reference_back_is_followed_into_the_next_passage(searcher: Searcher) -> None:
    """The answer ends its passage; "These studies show ..." opens the next one. Where the
    chunker cut must not decide what the answer says: the sentence is joined, cited to its
    own passage, which is among the answer's passages."""
    a = answer_question(
        searcher,
        "What did the World Bank studies find about the economic contribution of refugees?",
    )
    assert a.answered, a.reason
    assert "According to studies conducted by the World Bank" in a.sentences[0].text
    follow = a.sentences[-1]
    assert follow.text.startswith("These studies show")
    assert follow.passage_id != a.sentences[0].passage_id
    passage = next(p for p in a.passages if p.passage_id == follow.passage_id)
    assert passage.text[follow.start : follow.end] == follow.text
    assert follow.doc_start >= a.sentences[0].doc_end


@pytest.mark.slow
def test_an_answer_brings_the_footnote_that_lists_what_was_asked(searcher: Searcher) -> None:
    """ "... two Municipalities or local governments², ..." counts them; note 2 names them."""
    a = answer_question(searcher, "Which local governments took part in the consultation?")
    assert a.answered, a.reason
    assert "two Municipalities or local governments" in (a.text or "")
    note = a.sentences[-1]
    assert note.text.startswith("Intendency of Montevideo and Uruguay and Municipalities")
    passage = next(p for p in a.passages if p.passage_id == note.passage_id)
    assert passage.is_footnote and passage.text[note.start : note.end] == note.text
    # a note the question does not ask for stays out (Private Sector, UN agencies ...)
    assert "GAR-PAC" not in (a.text or "") and "UNODC" not in (a.text or "")


@pytest.mark.slow
def test_an_acronym_the_documents_never_write_is_read_as_the_name_they_use(
    searcher: Searcher,
) -> None:
    """The report says "Inter-American Development Bank" (heading: "BID/IADB"), never
    "IDB": the question is about that bank, not about a word the documents lack."""
    a = answer_question(
        searcher,
        "According to the IDB, what share of refugees and migrants in the region have already "
        "lived in their host country for more than five years?",
    )
    assert a.answered, a.reason
    assert "more than 50 percent of refugees and migrants" in (a.text or "")


@pytest.mark.slow
def test_a_sentence_that_means_the_question_needs_fewer_of_its_words(searcher: Searcher) -> None:
    """ "giving refugees a route into universities": the documents say "University Corridors
    for Refugees (UNICORE) ... creates a university corridor"; neither "giving" nor "route"."""
    question = "Which European initiative giving refugees a route into universities was mentioned?"
    a = answer_question(searcher, question)
    assert a.answered, a.reason
    assert "University Corridors for Refugees (UNICORE)" in (a.text or "")
    # at full weight, the two words the documents never use leave it short of the coverage
    strict = searcher.settings.model_copy(
        update={"answer_meaning_cosine": 1.0, "answer_unknown_weight": 1.0}
    )
    b = answer_question(Searcher(searcher.store, searcher.embedder, strict), question)
    assert not b.answered


@pytest.mark.slow
def test_the_footnote_listing_what_a_which_question_asks_for_answers_it(
    searcher: Searcher,
) -> None:
    """Note 8 is a bare list of names ("Canada, European Union, Germany, ..."), far in meaning
    from the question, under the anchor "the presence of ten cooperating countries"."""
    a = answer_question(
        searcher, "Which cooperating countries were present at the Brasilia consultation?"
    )
    assert a.answered, a.reason
    assert "Canada, European Union, Germany, Republic of Korea" in (a.text or "")


@pytest.mark.parametrize(
    ("question", "cue", "asked"),
    [
        (
            "Which donor or cooperating countries were at the meeting?",
            "which donor or cooperating countries",
            "countri",
        ),
        ("Which Latin American countries attended?", "which latin american countries", "countri"),
        ("Which civil society groups took part?", "which civil society groups", "group"),
        ("What role do host countries play?", "", None),
    ],
)
def test_which_reads_the_noun_it_asks_for_past_its_modifiers(
    question: str, cue: str, asked: str | None
) -> None:
    q = read_question(question, {"countri", "host"})
    assert (q.cue, q.asked) == (cue, asked)


@pytest.mark.slow
def test_a_note_to_what_a_generic_noun_names_lists_it(searcher: Searcher) -> None:
    """ "civil society groups": the note to "Civil Society Organizations (five persons)" lists
    them; it does not name "groups"."""
    hits = searcher.search("Which civil society groups took part in the consultation?", k=3)
    assert "GAR-PAC" in hits[0].text


@pytest.mark.slow
def test_what_is_the_name_of_asks_for_the_name_of_that_thing(searcher: Searcher) -> None:
    """The name is asked, the European project is what it must be the name of; "the UNHCR
    representative" is one person, not "the representative from ACCOR ... with UNHCR"."""
    a = answer_question(
        searcher,
        "What is the name of the European project mentioned that opens a university corridor "
        "for refugees into higher education?",
    )
    assert a.answered, a.reason
    assert "University Corridors for Refugees (UNICORE)" in (a.text or "")
    b = answer_question(searcher, "What is the name of the UNHCR Representative in Brazil?")
    assert not b.answered, b.text
    assert "unhcr representative" in (b.reason or "").lower()


@pytest.mark.slow
def test_a_sentence_that_refers_back_is_checked_with_what_it_refers_to(
    searcher: Searcher,
) -> None:
    """ "It introduced a broadened definition" holds no "1984": the sentence it refers back to
    does ("The Cartagena Declaration on Refugees, adopted in 1984, ...")."""
    a = answer_question(
        searcher,
        "How did the 1984 Cartagena Declaration change the definition of who counts as a refugee?",
    )
    assert a.answered, a.reason
    assert "It introduced a broadened definition of refugees" in (a.text or "")


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        # the documents give the month, not the day
        "On what exact day in July 2025 will the first meeting of the Follow-Up and "
        "Coordination Mechanism be held?",
        "In which city were the Chile Declaration and Plan of Action adopted in December 2024?",
        "When was the Montevideo Declaration on Contributions of Solidarity Cities adopted?",
    ],
)
def test_a_question_asking_for_more_than_the_documents_give_is_refused(
    searcher: Searcher, question: str
) -> None:
    a = answer_question(searcher, question)
    assert not a.answered, a.text


@pytest.mark.slow
def test_the_reports_own_voice_is_not_taken_for_a_reference_back(searcher: Searcher) -> None:
    """ "It was proposed to conduct a mapping ..." follows the answer but refers to nothing
    in it: it is not joined."""
    a = answer_question(searcher, "avoiding duplication between regional mechanisms")
    assert a.answered and "avoid duplication and overlap" in (a.text or "")
    assert "It was proposed to conduct a mapping" not in (a.text or "")


ATTENDANCE = (
    "Over 150 participants attended the meeting, including government representatives from "
    "Argentina, Belize, Bolivia, Brazil, Chile, Colombia, Costa Rica, Cuba, Ecuador, El "
    "Salvador, Guatemala, Haiti, Honduras, Mexico, Panama, Paraguay, Peru, Uruguay, and Venezuela."
)


@pytest.mark.parametrize(
    ("question", "sentence", "names_one"),
    [
        # the question's country is one of a list of countries: its peers are not an answer
        ("Who represented Panama at the inauguration?", ATTENDANCE, False),
        ("Which official represented Peru at the meeting?", ATTENDANCE, False),
        # a list the question's name is not in still names
        ("Who represented the region at the meeting?", ATTENDANCE, True),
        (
            "Who inaugurated the consultation on behalf of Brazil?",
            "The Consultation was inaugurated by the Secretary General of Foreign Affairs of "
            "Brazil, Ambassador María Laura da Rocha; the Director General of Consular Affairs.",
            True,
        ),
        # the noun asked for is no name of the question's own ("which municipalities")
        (
            "Which municipalities or local governments were represented at the meeting?",
            "Intendency of Montevideo and Uruguay and Municipalities of Pacaraima, Roraima, "
            "Brazil.",
            True,
        ),
        (
            "Who supported the Government of Chile?",
            "The Technical Secretariat, led by the Government of Chile with the support of "
            "Brazil, the Inter-American Development Bank, and UNHCR, developed a concept note.",
            True,
        ),
    ],
)
def test_names_listed_beside_the_questions_own_name_do_not_answer_who(
    question: str, sentence: str, names_one: bool
) -> None:
    q = read_question(question, {"panama", "peru", "brazil", "chile", "region", "municip"})
    assert q.kind == "agent"
    assert has_type(sentence, q) is names_one


@pytest.mark.slow
def test_who_represented_a_listed_country_is_refused(searcher: Searcher) -> None:
    """The documents list the countries whose governments attended; they never say who
    represented any of them."""
    for country in ("Panama", "Honduras"):
        a = answer_question(
            searcher, f"Who represented {country} at the inauguration of the consultation?"
        )
        assert not a.answered, a.text


@pytest.mark.parametrize(
    ("question", "kind", "holds", "lacks"),
    [
        (
            "How long has the Cartagena Process been in place?",
            "duration",
            "Having been in place for four decades, it constitutes a tradition.",
            "It was recognized that the Cartagena Process includes all states.",
        ),
        (
            "How long will the Chile Plan of Action last?",
            "duration",
            "the adoption of the Chile Declaration and Plan of Action 2024-2034.",
            "The Chile Plan of Action establishes a Follow-up and Coordination Mechanism.",
        ),
        # "for how many years" is answered by "two decades"
        (
            "For how many years has the Solidarity Cities program been in place?",
            "duration",
            "The Solidarity Cities program, in place for two decades, is a line of work.",
            "The Solidarity Cities program is a line of work of 20 municipalities.",
        ),
        # "on what date" wants a day or a month; a year range names a period
        (
            "On what date was the Montevideo Declaration signed?",
            "date",
            "The Montevideo Declaration was presented on 16 May 2024.",
            "The Montevideo Declaration was presented to the Chile Plan of Action (2024-2034).",
        ),
        (
            "When was the Brazil Plan of Action adopted?",
            "date",
            "In 2014, the Brazil Declaration and Plan of Action was adopted.",
            "A decade of implementing the Brazil Plan of Action (2014-2024) came to an end.",
        ),
        # "which city" is not answered by a country or a region
        (
            "In which city was the Chile Declaration adopted?",
            "place",
            "The Consultation was held in the city of Brasilia on May 16 and 17, 2024.",
            "By adopting the Chile Declaration, countries in Latin America and the Caribbean "
            "renewed their commitment.",
        ),
        # "why" wants a reason
        (
            "Why do businesses say that employing refugees makes them more competitive?",
            "reason",
            "The labor inclusion of refugees improves competitiveness, as it is associated with "
            "notably lower turnover rates.",
            "The Second Thematic Consultation was held in the city of Brasilia on May 16, 2024.",
        ),
        # a rate or a percentage asked for without "the"
        (
            "What turnover rate did companies report for their refugee employees?",
            "number",
            "Companies reported a turnover rate of 12 percent among refugee employees.",
            "They explained that inclusion is associated with notably lower turnover rates.",
        ),
        (
            "By what percentage have refugees increased GDP according to the World Bank?",
            "number",
            "The studies found that refugees increased GDP by 2 percent.",
            "2) macroeconomic: positive impact on GDP and other economic indicators.",
        ),
        # "who" is not answered by the name of a thing, nor by the question's own acronym
        (
            "Who authored the Final Implementation Report of the Brazil Plan of Action?",
            "agent",
            "The report was written by UNHCR and the Government of Brazil.",
            "In 2023, the Cartagena+30 initiative concluded, marking the end of a decade of "
            "implementing the Brazil Plan of Action (PAB).",
        ),
        (
            "Where was the Final Implementation Report of the Brazil Plan of Action presented?",
            "place",
            "The report was presented in Brasilia.",
            "In 2023, the Cartagena+30 initiative concluded, marking the end of a decade of "
            "implementing the Brazil Plan of Action (PAB).",
        ),
        # a period is a span of time, not a date
        (
            "What period does the Chile Plan of Action cover?",
            "duration",
            "the adoption of the Chile Declaration and Plan of Action 2024-2034.",
            "July 2025: First Meeting of the Follow-Up and Coordination Mechanism.",
        ),
        (
            "How many people took part in the Brasilia thematic consultation?",
            "number",
            "Over 150 participants attended the meeting.",
            "The Consultation was held in the city of Brasilia on May 16 and 17, 2024.",
        ),
        (
            "Why should requirements such as apostilles be made more flexible for refugees?",
            "reason",
            "the formality of documents should be made more flexible, understanding that "
            "refugees flee from countries with political instability.",
            "The formality of documents such as apostilles should be made more flexible.",
        ),
        (
            "How often did the Cartagena Process produce new declarations?",
            "frequency",
            'This led to the "Cartagena Process," with subsequent declarations every ten years.',
            "In 2004, the Declaration and Plan of Action of Mexico was updated.",
        ),
    ],
)
def test_each_answer_type_is_held_only_by_what_gives_it(
    question: str, kind: str, holds: str, lacks: str
) -> None:
    q = read_question(question, {"cartagena", "process", "chile"})
    assert q.kind == kind
    assert "long" not in q.terms and "often" not in q.terms  # they only ask
    assert has_type(holds, q) and not has_type(lacks, q)


@pytest.mark.slow
def test_a_how_often_question_the_documents_do_not_answer_is_refused(
    searcher: Searcher,
) -> None:
    """The calendar dates the Mechanism's first meeting; nothing says how often it meets."""
    a = answer_question(searcher, "How often does the Follow-up and Coordination Mechanism meet?")
    assert not a.answered and "frequency" in (a.reason or ""), a.text
    b = answer_question(searcher, "How long will the Chile Plan of Action last?")
    assert b.answered and "2024-2034" in (b.text or ""), b.reason


@pytest.mark.parametrize(
    ("term", "stems", "family"),
    [
        ("present", {"presenc"}, True),  # present / presence
        ("stateless", {"stateless"}, True),
        ("recognit", {"recogn"}, False),  # 6 letters of 8: too little
        ("host", {"hostil"}, False),  # four letters say nothing
    ],
)
def test_a_term_in_another_form_of_its_word_counts_partly(
    term: str, stems: set[str], family: bool
) -> None:
    assert _in_family(term, stems) is family


@pytest.mark.slow
def test_a_question_worded_with_another_form_of_the_documents_word_is_answered(
    searcher: Searcher,
) -> None:
    """ "were present" / "the presence of ten cooperating countries was noted"."""
    a = answer_question(
        searcher, "How many cooperating countries were present at the consultation?"
    )
    assert a.answered and "ten cooperating countries" in (a.text or ""), a.reason


def test_for_the_first_time_is_no_ordinal_the_evidence_must_hold() -> None:
    q = read_question("When will the Support Platform meet for the first time?", {"platform"})
    assert q.ordinals == ()
    assert read_question("When is the first meeting?", {"meet"}).ordinals == (("first", "meet"),)


def test_a_complex_preposition_is_not_a_term_the_evidence_must_hold() -> None:
    """ "on behalf of" asks nothing about the topic; "Brazil" and "inaugurated" do."""
    q = read_question("Who inaugurated the consultation on behalf of Brazil?", {"brazil"})
    assert "behalf" not in q.terms and "brazil" in q.terms and q.kind == "agent"
    q = read_question("Who represented UNHCR among the officials, according to the report?", set())
    assert "among" not in q.terms and "accord" not in q.terms and "offici" in q.terms


@pytest.mark.slow
def test_a_question_worded_with_on_behalf_of_is_answered(searcher: Searcher) -> None:
    a = answer_question(searcher, "Who inaugurated the consultation on behalf of Brazil?")
    assert a.answered and "María Laura da Rocha" in (a.text or ""), a.reason


@pytest.mark.slow
def test_a_refusal_never_says_a_word_is_absent_when_another_form_of_it_is_there(
    searcher: Searcher,
) -> None:
    """The documents say "recognize academic degrees": "recognition" is not missing from
    them; "professional" is. (At full weight for the word they never use, the question is
    refused; at the default half weight it is answered.)"""
    strict = searcher.settings.model_copy(update={"answer_unknown_weight": 1.0})
    a = answer_question(
        Searcher(searcher.store, searcher.embedder, strict),
        "recognition of refugees' academic degrees and professional qualifications",
    )
    assert not a.answered
    assert "professional" in (a.reason or "") and "recognition" not in (a.reason or "")


@pytest.mark.slow
def test_the_api_reports_what_a_refusal_found_missing(client: TestClient) -> None:
    r = client.post(
        "/ask", json={"question": "Which country will host the Global Refugee Forum in 2027?"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["answer"] is None and not body["answered"]
    assert "2027" in body["missing"] and "2027" in body["reason"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "code", "language"),
    [
        ("¿Cuándo se adoptó la Declaración de Cartagena?", "es", "Spanish"),
        ("Quando foi adotada a Declaração de Cartagena?", "pt", "Portuguese"),
    ],
)
def test_a_question_not_in_english_is_refused_with_the_passages_search_finds(
    client: TestClient, question: str, code: str, language: str
) -> None:
    """The answer checks read English: no blind answer, no "missing" Spanish stop words, but
    the passages cross-lingual search finds (the 1984 one among them)."""
    body = client.post("/ask", json={"question": question}).json()
    assert body["answer"] is None and not body["answered"]
    assert "English only" in body["reason"] and language in body["reason"]
    assert body["missing"] == [] and body["language"] == code
    assert any("adopted in 1984" in p["text"] for p in body["passages"])
    english = client.post("/ask", json={"question": "When was the Cartagena Declaration adopted?"})
    assert english.json()["language"] == "en" and english.json()["answered"]


def test_citations_that_were_not_retrieved_are_dropped() -> None:
    text, kept, dropped = check_citations(
        "Unity matters [d:0001]. Sponsorship too [d:0002, x:0099]. Invented [y:0003].",
        {"d:0001", "d:0002"},
    )
    assert text == "Unity matters [d:0001]. Sponsorship too [d:0002]. Invented."
    assert kept == ["d:0001", "d:0002"]
    assert dropped == ["x:0099", "y:0003"]


class _ChatEndpoint(BaseHTTPRequestHandler):
    """A stand-in for an OpenAI-compatible server (an external service, not our code)."""

    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append({"path": self.path, "body": body, "auth": self.headers["Authorization"]})
        first = body["messages"][1]["content"].split("[", 2)[1].split("]")[0]
        content = f"It was adopted in 1984 [{first}]. It is old [made-up:9999]."
        reply = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def chat_endpoint() -> Iterator[str]:
    with http_server(_ChatEndpoint) as base:
        yield f"{base}/v1"


@pytest.mark.slow
def test_generative_mode_keeps_only_retrieved_citations(
    searcher: Searcher, chat_endpoint: str
) -> None:
    settings = searcher.settings.model_copy(
        update={
            "llm_base_url": chat_endpoint,
            "llm_api_key": SecretStr("sk-test"),
            "llm_model": "tiny",
        }
    )
    configured = Searcher(searcher.store, searcher.embedder, settings)
    out = usecases.ask(
        configured, "When was the Cartagena Declaration adopted?", 5, Filters(), "generative"
    )
    assert out.answer.answered and out.answer.sentences  # the extractive answer is there too
    gen = out.generated
    assert gen is not None and gen.error is None and gen.model == "tiny"
    assert gen.citations == [out.answer.passages[0].passage_id]
    assert gen.dropped_citations == ["made-up:9999"]
    assert gen.text is not None and "made-up" not in gen.text
    call = _ChatEndpoint.seen[-1]
    assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer sk-test"


@pytest.mark.slow
def test_generative_mode_reports_an_unreachable_endpoint(searcher: Searcher) -> None:
    settings = searcher.settings.model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_timeout_s": 2.0}
    )
    configured = Searcher(searcher.store, searcher.embedder, settings)
    out = usecases.ask(configured, "student visas", 5, Filters(), "generative")
    assert out.answer.answered  # extractive still works with no network
    assert out.generated is not None and out.generated.text is None
    assert out.generated.error and "failed" in out.generated.error


def test_a_place_or_a_number_inside_a_name_answers_no_where_or_how_many() -> None:
    """The calendar line names "the Chile Plan of Action", not where the meeting is held; the
    pledge's "Cartagena+40" counts no pledges."""
    known = {"meet", "mechan", "pledg", "state", "global", "refuge", "forum", "2023"}
    where = read_question(
        "Where will the first meeting of the Follow-Up and Coordination Mechanism be held in "
        "July 2025?",
        known,
    )
    calendar = (
        "July 2025: First Meeting of the Follow-Up and Coordination Mechanism for the "
        "Implementation of the Chile Plan of Action- agreement on priorities for each of its "
        "chapters and Programmes."
    )
    assert not has_type(calendar, where)
    assert has_type("The first meeting will be held in Santiago.", where)
    how_many = read_question(
        "How many pledges did Latin American and Caribbean states submit at the 2023 Global "
        "Refugee Forum?",
        known,
    )
    link = (
        "States from Latin America and the Caribbean are invited to link all pledges submitted "
        "in the 2023 GRF, to the Cartagena+40 multi-stakeholder pledge."
    )
    assert not has_type(link, how_many)
    assert has_type("States submitted 120 pledges at the 2023 GRF.", how_many)
    # a question that asks for the name of a declaration is answered by one
    name = read_question("What was the name of the declaration adopted in 1994?", known)
    assert has_type("In 1994, the San José Declaration was adopted.", name)


def test_a_schedule_entry_gives_a_date_not_what_is_scheduled() -> None:
    entry = (
        "July 2025: First Meeting of the Follow-Up and Coordination Mechanism for the "
        "Implementation of the Chile Plan of Action- agreement on priorities for each of its "
        "chapters and Programmes."
    )
    known = {"prioriti", "agre", "chapter", "meet"}
    which = read_question("Which priorities were agreed for each chapter at the meeting?", known)
    assert not has_type(entry, which)
    when = read_question("When will priorities be agreed for each chapter?", known)
    assert has_type(entry, when)
    assert has_type("Priorities were agreed for each chapter.", which)


@pytest.mark.slow
def test_a_question_only_a_schedule_touches_is_refused_for_that(searcher: Searcher) -> None:
    a = answer_question(
        searcher, "Which priorities were agreed for each chapter at the July 2025 meeting?"
    )
    assert not a.answered, a.text
    assert "schedules" in (a.reason or "") and "July 2025" in (a.reason or ""), a.reason


def test_a_countrys_people_are_asked_about_as_the_country() -> None:
    """The documents list the companies "From Mexico"; they never write "Mexican"."""
    known = {"mexico": 1, "compani": 3, "consult": 9}
    asked = read_question("Which Mexican companies attended the consultation?", known)
    q = spelled_out(asked, {}, known)
    assert "mexico" in q.names and "mexican" not in q.terms
    assert q.show("mexico") == "mexico"
