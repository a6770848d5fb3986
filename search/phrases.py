"""Exact phrases, found in the documents' own text wherever passage boundaries fall.

A negotiator quotes wording as the document prints it. Passages are cut by a token budget and
overlap only a little, so a quoted sentence that runs past the end of one passage into the
next lies in no single passage: matched passage by passage it found nothing, though every
character of it is indexed. So a phrase is matched on the whole normalised text of each
document that can hold it (those with passages holding its longest words, by FTS5), and each
occurrence selects the passages that hold it whole or, when none does, every passage it runs
across. Each occurrence counts, in every document: the same wording in two documents is two
precedents. Headings are wording too: a phrase quoted from a heading also finds the passages
beneath it, whose section path carries it.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from index.reader import IndexStore
from search.query import contains_phrase
from text.tokens import word_spans, words

# words of the phrase looked up in FTS5 to pick the documents worth reading in full; the
# longest are the rarest, as a rule, and each one narrows the set
_PROBE_WORDS = 3


def occurrences(tokens: list[str], phrase: tuple[str, ...]) -> list[int]:
    """Token positions where ``phrase`` starts in ``tokens``."""
    n = len(phrase)
    first = phrase[0]
    return [i for i, t in enumerate(tokens) if t == first and tuple(tokens[i : i + n]) == phrase]


class PhraseFinder:
    """The passages of one index version that hold a phrase, keeping a few documents'
    tokens at hand (a searcher answers many requests, often about the same documents)."""

    def __init__(self, store: IndexStore, cached_documents: int = 16) -> None:
        self.store = store
        self.cached_documents = cached_documents
        self._tokens: OrderedDict[str, tuple[list[str], list[tuple[int, int]]]] = OrderedDict()
        self._lock = Lock()

    def rows(self, phrase: tuple[str, ...]) -> list[int]:
        """Rows holding ``phrase`` in their text (or running across it, see the module
        docstring) or in one heading of their section path; in row order."""
        return sorted(set(self.heading_rows(phrase)) | set(self.text_rows(phrase)))

    def heading_rows(self, phrase: tuple[str, ...]) -> list[int]:
        # FTS5 matched the tokens; confirm on our own folding (it also covers digits, accents)
        candidates = self.store.phrase_rows(phrase)
        fields = self.store.phrase_fields(candidates) if candidates else {}
        return [
            r
            for r, (_, headings) in fields.items()
            if any(contains_phrase(words(h), phrase) for h in headings)
        ]

    def text_rows(self, phrase: tuple[str, ...]) -> list[int]:
        out: list[int] = []
        for doc_id in self.candidate_documents(phrase):
            found = self.document_spans(doc_id, phrase)
            if not found:
                continue
            spans = self.store.passage_spans(doc_id)
            for start, end in found:
                whole = [r for r, a, b in spans if a <= start and end <= b]
                out.extend(whole or [r for r, a, b in spans if a < end and start < b])
        return out

    def document_spans(self, doc_id: str, phrase: tuple[str, ...]) -> list[tuple[int, int]]:
        """(start, end) of each occurrence of ``phrase`` in the document's normalised text."""
        tokens, offsets = self._document_tokens(doc_id)
        return [
            (offsets[i][0], offsets[i + len(phrase) - 1][1]) for i in occurrences(tokens, phrase)
        ]

    def candidate_documents(self, phrase: tuple[str, ...]) -> list[str]:
        """Documents whose passages hold each of the phrase's longest words: every word of a
        document lies in some passage or heading (ingest checks it), so no other can hold it."""
        docs: set[str] | None = None
        for word in sorted(set(phrase), key=lambda w: (-len(w), w))[:_PROBE_WORDS]:
            found = set(self.store.row_doc_ids(self.store.rows_with_word(word)))
            docs = found if docs is None else docs & found
            if not docs:
                return []
        return sorted(docs or ())

    def _document_tokens(self, doc_id: str) -> tuple[list[str], list[tuple[int, int]]]:
        with self._lock:
            cached = self._tokens.get(doc_id)
            if cached is not None:
                self._tokens.move_to_end(doc_id)
                return cached
        _, text = self.store.document(doc_id)
        spans = word_spans(text)
        entry = ([t for t, _, _ in spans], [(s, e) for _, s, e in spans])
        with self._lock:
            self._tokens[doc_id] = entry
            while len(self._tokens) > self.cached_documents:
                self._tokens.popitem(last=False)
        return entry
