"""A question that asks for a date, a number, a place, a name, a duration or a frequency ranks
first the passages that hold one.

"When did Caribbean states first take part in a Cartagena declaration?" ranked first a passage
on the Cartagena Process's four decades, which holds no date, above "In 2014, the Brazil
Declaration ... with the participation, for the first time, of states and territories from the
Caribbean". A passage without the kind of thing asked for cannot answer the question, however
close its words: among the first ``TYPED_DEPTH`` results, those where some sentence holds it
(the answer-type check of /ask, :mod:`search.question`) come first, each group in its own
order. Scores are left as ranking computed them. A topic query, or a question asking "what" or
"how", asks for no type and is not reordered. Nor is "why": the cause and purpose markers /ask
looks for miss a purpose said with a bare "to" ("It was proposed to conduct a mapping of
existing mechanisms to efficiently utilize the resources"), and ordering by them moved no
blind set up and two down (evals/REPORT.md, "Blind rounds seven and eight").
"""

from __future__ import annotations

import re

from index.models import Hit
from search.question import REASON, Question, answer_type, has_type
from text.spans import split_sentences

# results reordered: a passage further down is too far from the question to be promoted
TYPED_DEPTH = 20


# a question, not a statement that contains "how much" ("... stressed how much ... could offer")
_QUESTION = re.compile(
    r"^\s*(?:(?:in|at|on|for|since|by|to|from|with|during|until)\s+)?"
    r"(?:when|where|who|whom|whose|which|what|how)\b|\?\s*$",
    re.IGNORECASE,
)


def asks_for_type(text: str) -> bool:
    """Whether ``text`` is a question asking for one of the answer types of /ask, other than a
    reason."""
    return bool(_QUESTION.search(text)) and answer_type(text)[0] not in (None, REASON)


def typed_first(question: Question, hits: list[Hit]) -> list[Hit]:
    """``hits`` with those that hold the type ``question`` asks for first; ranks renumbered."""
    if question.kind is None:
        return hits
    head, tail = hits[:TYPED_DEPTH], hits[TYPED_DEPTH:]
    held = [any(has_type(s.text, question) for s in split_sentences(h.text)) for h in head]
    # a footnote listing the kind of thing asked for ("which agencies") before the rest
    group = [
        0 if ok and question.lists_asked(h) else 1 if ok else 2
        for h, ok in zip(head, held, strict=True)
    ]
    ordered = [h for _, h in sorted(zip(group, head, strict=True), key=lambda x: x[0])]
    out = ordered + tail
    for rank, hit in enumerate(out, start=1):
        hit.rank = rank
    return out
