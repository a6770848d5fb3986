"""What a question asks for, and which of its words the evidence must hold.

/ask must refuse what the documents do not say. A sentence on the right topic is not an answer:
"How many refugees did Brazil resettle in 2023?" is not answered by a sentence about 2023 forum
commitments. So a question is read into

- its *answer type*: "how many" wants a number, "when" a date, "where"/"which city" a place,
  "who"/"which organisation"/"what is the name of" a name, "how long"/"what period" a
  duration, "how often" a frequency, "why" a reason; the answering sentence must hold one;
- its *content terms* (stemmed, weighted by IDF when scored), of which some are *must* terms:
  numbers and years, capitalised names, and ordinals with the word they qualify ("second
  meeting"), which a sentence that merely shares the topic does not carry;
- its *phrases*: adjacent content words ("unemployment rate"), checked for adjacency because
  "second" in one place and "meeting" in another is not "second meeting".

This module only reads text; :mod:`search.answer` scores sentences with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.models import Hit
from text.places import COUNTRY_AND_REGION_WORDS
from text.tokens import STOPWORDS, fold, join_verbs, lexical_tokens, stem_words, words

NUMBER, DATE, PLACE, AGENT = "number", "date", "place", "agent"
DURATION, FREQUENCY, REASON = "duration", "frequency", "reason"
TYPE_NAMES = {
    NUMBER: "a number",
    DATE: "a date",
    PLACE: "a place",
    AGENT: "a name",
    DURATION: "a duration",
    FREQUENCY: "a frequency",
    REASON: "a reason",
}

_TYPE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # "how long" asks for a span of time, "how often" for a rate: before "how many/much"
    (DURATION, re.compile(r"\bhow long\b")),
    # "what period does the plan cover" asks for a span ("2024-2034"), not a date
    (DURATION, re.compile(r"\b(what|which) (period|time ?frame|timeframe|duration)\b")),
    # "for how many years" is answered by "two decades" as well as by "20 years"
    (DURATION, re.compile(r"\bhow many (years|months|weeks|decades)\b")),
    (FREQUENCY, re.compile(r"\bhow (often|frequently)\b")),
    # "why" wants a reason: "was held in Brasilia" does not say why Brasilia was chosen
    (
        REASON,
        re.compile(r"^\s*why\b|\bfor what reasons?\b|\bwhat (?:is|was|are|were) the reasons?\b"),
    ),
    (NUMBER, re.compile(r"\bhow (many|much)\b")),
    (
        NUMBER,
        re.compile(
            r"\b(what|which)(?: is| was| are| were)?(?: the)? (?:\w+ )?(number|amount|budget|cost|"
            r"rate|percentage|proportion|share|total|size|figure|sum|funding)\b"
        ),
    ),
    (NUMBER, re.compile(r"\b(what|which) (percentage|proportion|share|number|amount)\b")),
    (DATE, re.compile(r"^\s*(when|since when)\b")),
    (
        DATE,
        re.compile(
            r"\b(what|which|in what|in which) (?:exact |precise )?(year|date|month|day|time)\b"
        ),
    ),
    (PLACE, re.compile(r"^\s*(where)\b")),
    (
        PLACE,
        re.compile(
            r"\b(what|which) (?:(?!(?:do|does|did|is|are|was|were|has|have|had|can|will|would|"
            r"should|could|may|must)\b)\w+ ){0,3}?(city|cities|country|countries|place|town|"
            r"venue|capital|"
            r"state|province|region)\b"
        ),
    ),
    (PLACE, re.compile(r"\b(capital) of\b")),
    (AGENT, re.compile(r"^\s*(who|whom|whose)\b")),
    # "What is the name of the European project ...?" asks for a name
    (AGENT, re.compile(r"^\s*(what|which) (?:is|was|are|were) the (names?|titles?) of\b")),
    (
        AGENT,
        re.compile(
            r"\b(what|which) (?:\w+ ){0,2}(organi[sz]ations?|compan(?:y|ies)|agenc(?:y|ies)|"
            r"institutions?|bod(?:y|ies)|persons?|entit(?:y|ies)|firms?|ngos?|partners?|"
            r"governments?|ministr(?:y|ies)|banks?|donors?|ministers?|ambassadors?|officials?|"
            r"representatives?|delegates?|directors?|secretar(?:y|ies)|presidents?|speakers?|"
            r"leaders?|municipalit(?:y|ies)|universit(?:y|ies)|associations?|foundations?|"
            r"networks?|unions?|groups?)\b"
        ),
    ),
]

# Words that only ask ("how", "many") or name the answer type ("year", "city"): never terms.
QUESTION_WORDS = frozenset(
    lexical_tokens(
        "how many much does did do about describe described which kind find found say said "
        "tell whose who whom when where what why year date month day period city cities country "
        "countries place town venue number amount percentage proportion total figure "
        "organisation organization company companies agency agencies entity persons name names "
        # light verbs: "take place", "what does it cover" ask nothing about the topic
        "take took taken happen happened occur occurred cover covers mean means get got "
        # reporting verbs and light nouns: "What kind of childcare did the ILO *mention* as a
        # *way* to help women?" asks for the childcare, whatever verb the report used
        "mention mentions mentioned suggest suggests suggested way ways "
        # nouns that only live inside complex prepositions ("on behalf of", "in accordance
        # with", "in lieu of", "in spite of"): a question's "behalf" is not its topic
        "behalf accordance lieu spite "
        # prepositions the stop words leave in: "Who represented UNHCR *among* the officials",
        # "*according* to the IDB" place the question, they are not its topic
        "among amongst according regarding concerning toward towards within upon via",
        stopwords=False,
    )
)
# The word after "how" that only asks ("how long", "how often"): never a term.
_HOW_CUES = frozenset(["long", "often", "frequently"])
# Nouns "how many X" may count without naming X beside the number.
_GENERIC_COUNTED = frozenset(
    lexical_tokens("people persons individuals participants times", stopwords=False)
)
ORDINALS = frozenset(
    [
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "last",
        "next",
        "final",
        "1st",
        "2nd",
        "3rd",
        "4th",
        "5th",
        "6th",
        "7th",
        "8th",
        "9th",
        "10th",
    ]
)
# "third chapter" is also written "Chapter 3".
ORDINAL_VALUES = {
    w: str(n)
    for n, w in enumerate(
        ["first", "second", "third", "fourth", "fifth"]
        + ["sixth", "seventh", "eighth", "ninth", "tenth"],
        start=1,
    )
}
NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "dozen",
        "dozens",
        "percent",
        "half",
    ]
)
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
# a month as a date writes it: "16-17 May", "July 2025:"
_MONTH = "(?:" + "|".join(sorted(m.capitalize() for m in MONTHS)) + ")"
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# A list marker ("1)", "3.") or a section number is not a figure.
_LIST_MARKER = re.compile(r"(?:^|\s)\(?\d{1,2}[.)](?=\s)")
_CAPITALISED = re.compile(r"\b[A-Z][\w+-]*")
_FOCUS = re.compile(
    r"^\s*(?:who|what|which)\s+(?:is|was|are|were|will be|would be|has been)\s+"
    r"(?:the\s+|a\s+|an\s+)?([a-z][\w-]*(?:\s+[a-z][\w-]*)?)"
)
# "What is the name of *the European project* ...": the name is asked, the project is the focus
_NAME_OF = re.compile(
    r"^\s*(?:what|which)\s+(?:is|was|are|were)\s+the\s+(?:names?|titles?)\s+of\s+"
    r"(?:the\s+|a\s+|an\s+|its\s+)?([a-z][\w-]*(?:\s+[a-z][\w-]*)?)"
)
# Nouns too general to be what a question is about ("What is the purpose of ..."): they stay
# ordinary terms, never must terms.
_GENERIC_FOCUS = frozenset(
    lexical_tokens(
        "purpose aim goal objective role outcome outcomes result results main key idea focus "
        "theme topic status content scope nature importance significance value "
        "meaning definition difference relation relationship point message view position",
        stopwords=False,
    )
)
# "first time", "last time": an idiom, not the first of something the evidence must number
_NOT_COUNTED = frozenset(["time", "times"])
# Words that end the focus phrase besides stopwords ("the rate *among* refugees").
_FOCUS_STOP = frozenset(
    ["among", "about", "between", "during", "after", "before", "since", "under", "per"]
)
# Spelling variants tried for a question word the index does not know ("labour" -> "labor").
_VARIANTS = [
    ("our", "or"),
    ("or", "our"),
    ("tre", "ter"),
    ("ter", "tre"),
    ("isation", "ization"),
    ("ization", "isation"),
    ("ise", "ize"),
    ("ize", "ise"),
    ("yse", "yze"),
    ("ence", "ense"),
]


@dataclass(frozen=True)
class Question:
    """A question read for answering: the type it wants and the terms evidence must hold."""

    text: str
    kind: str | None  # NUMBER, DATE, PLACE, AGENT, DURATION, FREQUENCY or None (a topic)
    cue: str  # the words that ask for the type, e.g. "how many"
    terms: tuple[str, ...]  # stemmed content terms, in question order, each once
    numbers: tuple[str, ...] = ()  # numbers and years of the question: in the sentence itself
    names: tuple[str, ...] = ()  # stems of capitalised names: in the sentence or its passage
    ordinals: tuple[tuple[str, str], ...] = ()  # ("second", stem of the word it qualifies)
    phrases: tuple[tuple[str, str], ...] = ()  # adjacent content stems of the question
    counted: str | None = None  # the stem after "how many"
    focus: tuple[str, ...] = ()  # what "who/what is the X" asks about: a must term
    surface: dict[str, str] = field(default_factory=dict)  # stem -> the question's own word
    question_words: frozenset[str] = frozenset()  # folded words of the question
    asked: str | None = None  # the stem of the noun "which <noun>" asks for: "agencies"

    def lists_asked(self, hit: Hit) -> bool:
        """Whether ``hit`` is a footnote whose anchor names what the question asks for and
        that holds most of its other words: "Which UN agencies attended the Brasilia
        consultation?" is answered by the note to "eleven United Nations Agencies, Funds, and
        Programs", which lists them, not by the paragraph that counts them; "Which countries
        advanced in regularization?" is not answered by a note listing "cooperating countries"."""
        if self.asked is None or not hit.is_footnote or not hit.anchor:
            return False
        anchor = {_stem(t) for t in words(hit.anchor)}
        named_by = [_stem(t) for t in words(self.cue)[1:-1] if t not in STOPWORDS]
        named = bool(named_by) and all(t in anchor for t in named_by)
        if self.asked in _GENERIC_ASKED:
            # "Which civil society groups ...?" is answered by the note to "Civil Society
            # Organizations": what names the groups is the words before the noun
            if not named:
                return False
        elif self.asked not in anchor:
            return False
        held = set(stem_words(words(f"{hit.citation} {hit.title} {hit.anchor} {hit.text}")))
        # an anchor that names the noun as the question does ("ten *cooperating countries*")
        # needs half of the other words, any other more than half
        return 2 * sum(t in held for t in self.terms) + named > len(self.terms)

    def show(self, stem: str) -> str:
        return self.surface.get(stem, stem)


def _stem(word: str) -> str:
    return stem_words([fold(word)])[0]


# nouns that ask for members of a kind named by the words before them ("civil society groups")
_GENERIC_ASKED = frozenset(
    stem_words(
        ["group", "groups", "organisations", "organizations", "entities", "bodies", "actors"]
    )
)


def respell(word: str, known: frozenset[str] | set[str] | dict[str, int]) -> str:
    """``word`` (folded) or the spelling variant of it that the index knows, stemmed."""
    stem = _stem(word)
    if stem in known:
        return stem
    for a, b in _VARIANTS:
        if a in word:
            alt = _stem(word.replace(a, b))
            if alt in known:
                return alt
    return stem


def answer_type(question: str) -> tuple[str | None, str]:
    """(type, cue): what kind of answer the question asks for, and the words that say so."""
    low = " ".join(question.lower().split())
    for kind, pattern in _TYPE_PATTERNS:
        match = pattern.search(low)
        if match:
            return kind, match.group(0).strip()
    return None, ""


def read_question(question: str, known: frozenset[str] | set[str] | dict[str, int]) -> Question:
    """The :class:`Question` of ``question``; ``known`` is the index vocabulary (for spellings)."""
    kind, cue = answer_type(question)
    toks = join_verbs(words(question))
    surface: dict[str, str] = {}
    content: list[str] = []  # stems of the content words, in order (repeats kept for phrases)
    ordinals: list[tuple[str, str]] = []
    pending: str | None = None
    for i, tok in enumerate(toks):
        if tok in _HOW_CUES and i > 0 and toks[i - 1] == "how":
            continue
        if tok in STOPWORDS:
            continue
        if tok in ORDINALS:
            pending = tok
            continue
        stem = respell(tok, known)
        if stem in QUESTION_WORDS and not tok.isdigit():
            pending = None
            continue
        surface.setdefault(stem, tok)
        content.append(stem)
        if pending and tok in _NOT_COUNTED:
            pending = None  # "for the first time" says when, it counts no time
        if pending:
            ordinals.append((pending, stem))
            surface.setdefault(pending, pending)
            pending = None
    numbers = tuple(dict.fromkeys(t for t in toks if t.isdigit()))
    names = []
    for i, match in enumerate(_CAPITALISED.finditer(question)):
        word = match.group(0)
        if i == 0 and match.start() == len(question) - len(question.lstrip()):
            continue  # the question's first word is capitalised anyway
        for part in words(word):
            stem = respell(part, known)
            if part not in STOPWORDS and stem in content and not part.isdigit():
                names.append(stem)
    counted = None
    if kind == NUMBER and cue.startswith("how many"):
        after = words(question.lower().split(cue, 1)[1]) if cue in question.lower() else []
        after = [t for t in after if t not in STOPWORDS]
        counted = respell(after[0], known) if after else None
    phrases = tuple(dict.fromkeys(zip(content, content[1:], strict=False)))
    asked = None
    if kind in (AGENT, PLACE) and cue.startswith(("which ", "what ")):
        asked = respell(words(cue)[-1], known)
    return Question(
        text=question,
        kind=kind,
        cue=cue,
        terms=tuple(dict.fromkeys(content)),
        numbers=numbers,
        names=tuple(dict.fromkeys(names)),
        ordinals=tuple(ordinals),
        phrases=tuple(p for p in phrases if p[0] != p[1]),
        counted=counted,
        focus=focus_terms(question, known),
        surface=surface,
        question_words=frozenset(toks),
        asked=asked,
    )


def focus_terms(
    question: str, known: frozenset[str] | set[str] | dict[str, int]
) -> tuple[str, ...]:
    """The noun phrase a copular question asks about: "Who was *the president* of Chile?",
    "What is *the unemployment rate* among ...", "What is the name of *the UNHCR
    representative* ...": the answer must be about it, not near it."""
    low = " ".join(question.lower().split())
    match = _NAME_OF.search(low) or _FOCUS.search(low)
    if not match:
        return ()
    out = []
    for tok in words(match.group(1)):
        if tok in STOPWORDS or tok in _FOCUS_STOP:
            break
        stem = respell(tok, known)
        if stem not in QUESTION_WORDS and stem not in _GENERIC_FOCUS:
            out.append(stem)
    return tuple(out)


def content_stems(text: str, known: frozenset[str] | set[str] | dict[str, int]) -> list[str]:
    """Stems of the non-stopwords of ``text``, in order (evidence side of the phrase check)."""
    return [
        respell(t, known) if not t.isdigit() else t
        for t in join_verbs(words(text))
        if t not in STOPWORDS
    ]


# a schedule's entry: "July 2025: First Meeting of the ... - agreement on priorities"
_SCHEDULED = re.compile(rf"^\W*(?:{_MONTH}\s+)?(?:19|20)\d\d\s*:")


def has_type(sentence: str, q: Question) -> bool:
    """Whether ``sentence`` holds the kind of answer ``q`` asks for (always, for a topic, but
    from a schedule's entry only the date: "July 2025: First Meeting ... - agreement on
    priorities for each of its chapters" says when the priorities are to be agreed, not which
    they are)."""
    if _SCHEDULED.match(sentence) and q.kind not in (DATE, DURATION, FREQUENCY):
        return False
    if q.kind is None:
        return True
    if q.kind == NUMBER:
        return _has_number(sentence, q)
    if q.kind == DATE:
        return _has_date(sentence, q)
    if q.kind == DURATION:
        return _has_duration(sentence)
    if q.kind == FREQUENCY:
        return bool(_RATE.search(sentence))
    if q.kind == REASON:
        return bool(_CAUSE.search(sentence))
    names = _names(sentence, q)
    if _CITY_CUE.search(q.cue):
        names = [n for n in names if fold(n) not in COUNTRY_AND_REGION_WORDS]
    return bool(names)


# a cause or a purpose: "..., as it is associated with notably lower turnover rates"
_CAUSE = re.compile(
    r"\b(?:because|due to|owing to|thanks to|since|given (?:that|the)|in order to|so that|"
    r"so as to|reasons?|as a result|result(?:s|ed|ing)? (?:of|from)|lead(?:s|ing)? to|led to|"
    r"aim(?:s|ed|ing)? (?:to|at)|purpose|seek(?:s|ing)? to|contribut(?:e|es|ed|ing) to|"
    r"understanding that|considering that|bearing in mind|in (?:view|light) of)\b"
    r"|,\s*as\b|\bas (?:it|they|this|these|such)\b",
    re.IGNORECASE,
)
# "which city" is not answered by "countries in Latin America and the Caribbean"
_CITY_CUE = re.compile(r"\b(city|cities|town|capital|venue)\b")
_TIME_UNIT = r"(?:years?|decades?|months?|weeks?|days?|centur(?:y|ies))"
_AMOUNT = r"(?:\d+|" + "|".join(sorted(NUMBER_WORDS - {"percent"}, key=len, reverse=True)) + ")"
# "four decades", "20 years", "a ten-year roadmap", "2024-2034", "since 1984"
_SPAN = re.compile(
    rf"\b{_AMOUNT}(?:[\s-]+\w+)?[\s-]+{_TIME_UNIT}\b|\b(?:1[89]|20)\d\d\s*[-–]\s*(?:1[89]|20)\d\d\b"
    rf"|\bsince\s+(?:1[89]|20)\d\d\b|\b(?:a|one)\s+(?:decade|year|century)\b",
    re.IGNORECASE,
)
# "every ten years", "annually", "twice a year", "each year"
_RATE = re.compile(
    rf"\b(?:every|each)\s+(?:\w+\s+)?{_TIME_UNIT}\b|\b(?:annual(?:ly)?|yearly|biennial(?:ly)?|"
    rf"monthly|weekly|quarterly|periodic(?:ally)?|regularly)\b|\b(?:once|twice|\w+ times)\s+"
    rf"(?:a|per|each)\s+{_TIME_UNIT}\b",
    re.IGNORECASE,
)


def _has_duration(sentence: str) -> bool:
    return bool(_SPAN.search(sentence))


def _figures(sentence: str, q: Question) -> list[tuple[int, str]]:
    """(word position, figure) of the numbers of ``sentence`` that the question does not give."""
    toks = words(_counting_text(sentence))
    out = []
    for i, tok in enumerate(toks):
        if tok in q.question_words:
            continue
        is_digit = bool(_NUMBER.fullmatch(tok))
        if is_digit and _YEAR.match(tok) and q.kind == NUMBER:
            continue  # a year is a date, not a count
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        if tok == "one" and nxt == "of":
            continue  # "one of the largest" counts nothing
        if (is_digit or tok in NUMBER_WORDS) and nxt not in {"year", "years"}:
            out.append((i, tok))
    return out


# "Cartagena+40", "C+40": the number is part of a name, it counts nothing
_NAMED_NUMBER = re.compile(r"(?<=\w)\+\d+\b")


# "16-17 May", "May 16": the day of a date counts nothing
_DAYS_JOIN = r"(?:\s*[-\u2013,]\s*|\s+(?:and|to)\s+)"
_DAY_OF_MONTH = re.compile(
    rf"\b\d{{1,2}}(?:{_DAYS_JOIN}\d{{1,2}})*\s+(?:of\s+)?{_MONTH}\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:{_DAYS_JOIN}\d{{1,2}})*\b"
)


def _counting_text(sentence: str) -> str:
    """``sentence`` without what looks like a figure and counts nothing: list markers, the
    number in a name, the day of a date."""
    text = _DAY_OF_MONTH.sub(lambda m: re.sub(r"\d", " ", m.group(0)), sentence)
    return _NAMED_NUMBER.sub(" ", _LIST_MARKER.sub(" ", text))


def _has_number(sentence: str, q: Question) -> bool:
    figures = _figures(sentence, q)
    if not figures:
        return False
    if q.counted is None or q.counted in _GENERIC_COUNTED:
        return True
    stems = [_stem(t) for t in words(_counting_text(sentence))]
    # "how many countries": the figure counts countries ("ten cooperating countries").
    return any(q.counted in stems[i + 1 : i + 4] for i, _ in figures)


def _has_date(sentence: str, q: Question) -> bool:
    """A year or a month; for "on what date" a month or a day. A year in a range ("the Chile
    Plan of Action (2024-2034)") names a period, not when something happened."""
    day = _DAY_CUE.search(q.cue) is not None
    for tok in words(_YEAR_RANGE.sub(" ", sentence)):
        if tok in q.question_words:
            continue
        if tok in MONTHS or (not day and _YEAR.match(tok)):
            return True
    return bool(day and _NUMERIC_DATE.search(sentence))


_DAY_CUE = re.compile(r"\b(date|day)\b")
_YEAR_RANGE = re.compile(r"\b(?:1[89]|20)\d\d\s*[-\u2013]\s*(?:1[89]|20)\d\d\b")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d\d\b")


def _names(sentence: str, q: Question) -> list[str]:
    """Capitalised words of ``sentence`` (not its first word) that the question does not use,
    nor lists beside a name it uses; for "who" and "where", not the name of a thing ("the
    Cartagena+30 *initiative*") nor the bracketed acronym of the question's own name ("Brazil
    Plan of Action (PAB)")."""
    siblings = _list_siblings(sentence, q)
    out = []
    for match in _CAPITALISED.finditer(sentence):
        if match.start() == 0:
            continue
        word = match.group(0)
        if fold(word) in q.question_words or fold(word) in MONTHS or fold(word) in STOPWORDS:
            continue
        if fold(word) in siblings:
            continue
        if q.kind in (AGENT, PLACE) and _names_a_thing(sentence, match, q):
            continue
        out.append(word)
    return out


# nouns that make the name before them a thing, not someone: "the Cartagena+30 initiative"
_THINGS = frozenset(
    words(
        "initiative initiatives process processes plan plans declaration declarations report "
        "reports programme programmes program programs project projects strategy strategies "
        "framework frameworks mechanism mechanisms meeting meetings consultation consultations "
        "anniversary convention conventions compact forum platform roadmap agenda period "
        "decade region floods"
    )
)
_NEXT_WORD = re.compile(r"[\w+-]*\s+([a-z]+)")
_BRACKETED_AFTER = re.compile(r"([\w+-]+)\s*\($")


def _names_a_thing(sentence: str, match: re.Match[str], q: Question) -> bool:
    following = _NEXT_WORD.match(sentence, match.end())
    if following and following.group(1) in _THINGS:
        return True
    asked = set(words(q.cue)) | {fold(q.show(t)) for t in q.focus}
    if not asked & _THINGS and _in_thing_name(sentence, match):
        return True
    before = _BRACKETED_AFTER.search(sentence[: match.start()])
    return bool(before and fold(before.group(1)) in q.question_words)


# the small words inside a capitalised name: "Chile Plan of Action", "Montevideo Declaration on
# Contributions of Solidarity Cities"
_NAME_GLUE = frozenset(["of", "the", "on", "and", "for", "de", "del", "da", "do"])
_TOKEN = re.compile(r"[\w+.'-]+")


def _in_thing_name(sentence: str, match: re.Match[str]) -> bool:
    """Whether the capitalised word at ``match`` is part of a capitalised name whose words
    include a thing's ("Chile *Plan* of Action", "Montevideo *Declaration*"): "Where will the
    meeting be held?" is not answered by "the Chile Plan of Action", nor "In which city was
    the Declaration adopted?" by "the Montevideo Declaration". Questions that ask for such a
    thing ("What is the name of the declaration ...?") keep them."""
    before = _TOKEN.findall(sentence[: match.start()])
    after = _TOKEN.findall(sentence[match.end() :])
    capitalised = [match.group(0)]
    for forward, seq in ((True, after), (False, before[::-1])):
        glue = 0
        for w in seq:
            if w[:1].isupper():
                capitalised.append(w)
                glue = 0
            elif w in _NAME_GLUE and glue < 2:
                glue += 1
            else:
                # "the Solidarity Cities *program*"
                if forward and not glue and w in _THINGS:
                    return True
                break
    return any(fold(w) in _THINGS for w in capitalised)


# a name in a list: capitalised words, with the small words names are made of
_NAME_WORD = re.compile(r"^(?:[A-Z][\w.'+-]*|of|the|de|del|da|do|la|los|las|y|e|and|&)$")
_LIST_JOINER = re.compile(r"^(?:and|or)\s+")


def _name_run(words_: list[str], from_end: bool) -> list[str]:
    """The capitalised run at the end (or start) of a list item: "... representatives from
    *Argentina*", "*Venezuela* attended"."""
    seq = list(reversed(words_)) if from_end else words_
    run: list[str] = []
    for w in seq:
        if not _NAME_WORD.match(w) or (not run and not w[:1].isupper()):
            break
        run.append(w)
    return list(reversed(run)) if from_end else run


def _list_siblings(sentence: str, q: Question) -> set[str]:
    """Folded words of the names listed, comma by comma, beside one of the question's own
    names: for "Who represented Argentina?", "Argentina, Belize, Bolivia ... and Venezuela"
    names Argentina's peers, not who represented it."""
    out: set[str] = set()
    for clause in re.split(r"[;:()]", sentence):
        items = [_LIST_JOINER.sub("", x.strip().rstrip(".")).split() for x in clause.split(",")]
        pure = [
            bool(it) and all(_NAME_WORD.match(w) for w in it) and it[0][:1].isupper()
            for it in items
        ]
        i = 0
        while i < len(items):
            if not pure[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(items) and pure[j + 1]:
                j += 1
            run = [w for it in items[i : j + 1] for w in it]
            if i > 0:
                run += _name_run(items[i - 1], from_end=True)
            if j + 1 < len(items):
                run += _name_run(items[j + 1], from_end=False)
            names = {fold(w) for w in run if w[:1].isupper()}
            listed = j - i + 1 + (i > 0) + (j + 1 < len(items))
            # the noun the question asks for ("which municipalities") is no name of its own
            if listed >= 3 and names & (q.question_words - set(words(q.cue))):
                out |= names
            i = j + 1
    return out
