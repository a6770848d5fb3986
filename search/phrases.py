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

import logging
import re
from collections import OrderedDict
from collections.abc import Iterator
from functools import cached_property
from threading import Lock

from index.reader import IndexStore
from search.query import contains_phrase, occurrences
from text.spans import tokens as word_tokens
from text.tokens import words

log = logging.getLogger(__name__)

# words of the phrase looked up in FTS5 to pick the documents worth reading in full; the
# longest are the rarest, as a rule, and each one narrows the set
_PROBE_WORDS = 3
# phrases whose matching form and rows are kept: a search and its highlights resolve the same
_RESOLVED = 256
# A phrase whose longest words are in more documents than this is matched passage by passage
# (FTS5, then our folding), as before documents were read whole: reading thousands of
# documents would cost seconds, and a phrase that common is found inside passages anyway.
MAX_DOCUMENTS_READ = 64


_DIGITS = re.compile(r"\d+")
# "Page 6 of 12", the page line most PDFs print, whether or not this index saw it repeat
_PAGE_LINE = ("page", "#", "of", "#")


def _masked(tokens: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(_DIGITS.sub("#", t) for t in tokens)


def without_runs(phrase: tuple[str, ...], runs: list[tuple[str, ...]]) -> tuple[str, ...]:
    """``phrase`` with every occurrence of each run taken out (digits match any digits): a
    running header or page line that a quote copied across a page break carries."""
    masked = list(_masked(phrase))
    keep = [True] * len(phrase)
    for run in runs:
        n = len(run)
        for i in range(len(masked) - n + 1):
            if tuple(masked[i : i + n]) == run:
                keep[i : i + n] = [False] * n
    return tuple(t for t, k in zip(phrase, keep, strict=True) if k)


class PhraseFinder:
    """The passages of one index version that hold a phrase, keeping a few documents'
    tokens at hand (a searcher answers many requests, often about the same documents)."""

    def __init__(
        self,
        store: IndexStore,
        cached_documents: int = 16,
        max_documents_read: int = MAX_DOCUMENTS_READ,
    ) -> None:
        self.store = store
        self.cached_documents = cached_documents
        self.max_documents_read = max_documents_read
        self._tokens: OrderedDict[str, tuple[list[str], list[tuple[int, int]]]] = OrderedDict()
        self._lock = Lock()
        self._resolved: OrderedDict[
            tuple[tuple[str, ...], tuple[str, ...]], tuple[tuple[str, ...], list[int]]
        ] = OrderedDict()

    def resolve(
        self, phrase: tuple[str, ...], bare: tuple[str, ...]
    ) -> tuple[tuple[str, ...], list[int]]:
        """The form of a quoted phrase that the documents hold, and its rows: as typed; else
        as the text would hold it (``bare``: footnote marks and line-end hyphens a PDF viewer
        copies, search.query); else also without the running headers and page lines a copy
        across a page break carries. As typed, with no rows, when none is found."""
        key = (phrase, bare)
        with self._lock:
            if key in self._resolved:
                self._resolved.move_to_end(key)
                return self._resolved[key]
        found: tuple[tuple[str, ...], list[int]] = (phrase, [])
        for form in self._forms(phrase, bare):
            rows = self.rows(form)
            if rows:
                found = (form, rows)
                break
        else:
            found = (phrase, self.furniture_rows(bare))
        with self._lock:
            self._resolved[key] = found
            while len(self._resolved) > _RESOLVED:
                self._resolved.popitem(last=False)
        return found

    def _forms(self, phrase: tuple[str, ...], bare: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield phrase
        if bare != phrase:
            yield bare
        plain = self.without_furniture(bare)
        if plain and plain not in (phrase, bare):
            yield plain

    @cached_property
    def _runs_by_doc(self) -> dict[str, list[tuple[str, ...]]]:
        """Each document's running lines as masked tokens (read once per index version)."""
        return {
            doc: [run for run in (_masked(words(line)) for line in lines) if run]
            for doc, lines in self.store.furniture().items()
        }

    @cached_property
    def _runs(self) -> list[tuple[str, ...]]:
        """Every document's running lines and the page line, longest first."""
        runs = {run for lines in self._runs_by_doc.values() for run in lines} | {_PAGE_LINE}
        return sorted(runs, key=len, reverse=True)

    def without_furniture(self, phrase: tuple[str, ...]) -> tuple[str, ...]:
        """``phrase`` without the running headers, footers and page lines of the indexed
        documents: what a quote copied across a page break holds that the text does not."""
        return without_runs(phrase, self._runs)

    def furniture_rows(self, phrase: tuple[str, ...]) -> list[int]:
        """The first passage of each document whose running header or footer holds
        ``phrase``: that wording is printed on its pages but is not text of any passage (a
        bare page line, in every PDF, finds nothing)."""
        masked = _masked(without_runs(phrase, [_PAGE_LINE]))
        if not masked:
            return []
        out = []
        for doc, runs in sorted(self._runs_by_doc.items()):
            if any(run != _PAGE_LINE and contains_phrase(list(run), masked) for run in runs):
                spans = self.store.passage_spans(doc)
                if spans:
                    out.append(spans[0][0])
        return sorted(out)

    def rows(self, phrase: tuple[str, ...]) -> list[int]:
        """Rows holding ``phrase`` in their text (or running across it, see the module
        docstring) or in one heading of their section path; in row order."""
        docs = self.candidate_documents(phrase)
        if len(docs) > self.max_documents_read:
            log.info(
                "phrase %r: its words are in %d documents; matched within passages only",
                " ".join(phrase),
                len(docs),
            )
            return sorted(self.passage_rows(phrase, in_text=True))
        return sorted(
            set(self.passage_rows(phrase, in_text=False)) | set(self.text_rows(phrase, docs))
        )

    def passage_rows(self, phrase: tuple[str, ...], in_text: bool) -> list[int]:
        """Rows holding the phrase within one heading of their section path (and within their
        own text, with ``in_text``): FTS5 matched the tokens, our folding confirms them (it
        also covers digits and accents)."""
        candidates = self.store.phrase_rows(phrase)
        fields = self.store.phrase_fields(candidates) if candidates else {}
        return [
            r
            for r, (text, headings) in fields.items()
            if any(
                contains_phrase(words(h), phrase) for h in [*headings, *([text] if in_text else [])]
            )
        ]

    def text_rows(self, phrase: tuple[str, ...], docs: list[str]) -> list[int]:
        out: list[int] = []
        for doc_id in docs:
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
            found = self.store.documents_with_word(word)
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
        toks = word_tokens(text)  # the document's text is NFKC: as ``words`` reads it
        entry = ([t.word for t in toks], [(t.start, t.end) for t in toks])
        with self._lock:
            self._tokens[doc_id] = entry
            while len(self._tokens) > self.cached_documents:
                self._tokens.popitem(last=False)
        return entry
