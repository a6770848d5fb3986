"""Blocks to passages (ingest/chunk.py) on a hand-made document, one word = one token: which
blocks share a passage, where each passage is cited, and that long blocks are cut within the
budget without losing text."""

from __future__ import annotations

from corpus.catalog import DocumentMeta
from index.models import ChunkedDocument
from ingest.chunk import ChunkConfig, chunk_document
from ingest.models import Block, ParsedDocument

META = DocumentMeta(id="note", title="Lima Note", year=2024, place="Lima")
CONFIG = ChunkConfig(max_tokens=60, overlap_tokens=8, min_chars=40, embed_prefix="none")
LEAD_IN = "The following commitments were agreed:"
FIRST = "Mobile units shall register displaced families within seventy-two hours of arrival."
SECOND = "Registration data stay with the host state and are never shared without consent."
SHORT = "Short."
ALONE = "A paragraph long enough to stand alone as its own passage in this little section."
WORK = "Work permits shall be issued with the registration so that refugees can be hired."


def words(text: str) -> int:
    return len(text.split())


def chunk(blocks: list[Block]) -> ChunkedDocument:
    doc = ParsedDocument(doc_id="note", path="note.md", format="markdown", blocks=blocks)
    return chunk_document(doc, META, words, CONFIG)


def test_blocks_group_into_passages_as_a_negotiator_cites_them() -> None:
    out = chunk(
        [
            Block("heading", "I. Registration", level=1),
            Block("paragraph", LEAD_IN, refs=("1",)),
            Block("item", FIRST),
            Block("item", SECOND),
            Block("paragraph", SHORT),
            Block("paragraph", ALONE),
            Block("heading", "II. Work", level=1),
            Block("paragraph", WORK),
            Block("footnote", "Agreed in Lima.", footnote="1"),
        ]
    )
    got = [(p.text, p.section, p.citation) for p in out.passages]
    assert got == [
        # a lead-in joins the item it introduces; each item stays a passage of its own
        (f"{LEAD_IN}\n\n{FIRST}", "I. Registration", "Lima Note (Lima, 2024), I. Registration"),
        (SECOND, "I. Registration", "Lima Note (Lima, 2024), I. Registration"),
        # a fragment under min_chars joins the block after it
        (f"{SHORT}\n\n{ALONE}", "I. Registration", "Lima Note (Lima, 2024), I. Registration"),
        (WORK, "II. Work", "Lima Note (Lima, 2024), II. Work"),
        # a footnote is its own passage, cited under the section that refers to it
        ("Agreed in Lima.", "I. Registration", "Lima Note (Lima, 2024), I. Registration, n. 1"),
    ]
    assert [p.passage_id for p in out.passages] == [f"note:{i:04d}" for i in range(5)]
    for p in out.passages:  # offsets index the document's text
        assert out.text[p.char_start : p.char_end] == p.text


def test_a_fragment_never_crosses_a_heading() -> None:
    out = chunk(
        [
            Block("heading", "I. Registration", level=1),
            Block("paragraph", SHORT),
            Block("heading", "II. Work", level=1),
            Block("paragraph", WORK),
        ]
    )
    assert [(p.text, p.section) for p in out.passages] == [
        (SHORT, "I. Registration"),
        (WORK, "II. Work"),
    ]


def test_a_block_over_the_budget_is_cut_within_it_and_loses_no_text() -> None:
    sentences = [
        f"Sentence {i} says that the state registers every family it meets." for i in range(12)
    ]
    long = " ".join(sentences)  # 132 words, budget 60
    out = chunk([Block("heading", "I. Registration", level=1), Block("paragraph", long)])
    assert len(out.passages) >= 3
    assert all(words(p.text) <= CONFIG.max_tokens for p in out.passages)
    for s in sentences:  # every sentence whole in some passage
        assert any(s in p.text for p in out.passages), s
    starts = [p.char_start for p in out.passages]
    assert starts == sorted(starts) and out.passages[0].char_start == out.text.index(long)
    assert out.passages[-1].char_end == out.text.index(long) + len(long)
