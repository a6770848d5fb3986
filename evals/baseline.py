"""The standard recipe, scored beside the engine: what a tutorial pipeline gets on the same set.

pypdf page text -> ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` per
page (langchain's ``PyPDFLoader`` + ``split_documents``) -> all-MiniLM-L6-v2 -> FAISS flat L2.
No layout analysis, no lexical side, no fusion. Embeddings go through the same content cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from langchain_text_splitters import RecursiveCharacterTextSplitter
from pypdf import PdfReader

from cartagena.errors import EmptyCorpusError
from cartagena.settings import Settings
from embedding import factory
from embedding.cached import embed_passages
from evals.retrievers import Result
from index.embedding_cache import EmbeddingCache

log = logging.getLogger(__name__)
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200


@dataclass(frozen=True)
class Chunk:
    doc: str
    page: int
    text: str


def chunk_pdfs(corpus: Path) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks: list[Chunk] = []
    for path in sorted(corpus.glob("*.pdf")):
        for number, page in enumerate(PdfReader(path).pages, start=1):
            text = page.extract_text() or ""
            chunks += [Chunk(path.stem, number, t) for t in splitter.split_text(text)]
    if not chunks:
        raise EmptyCorpusError(f"the standard recipe found no PDF text under {corpus}")
    return chunks


class StandardRecipe:
    """Dense only: every mode asked for answers with the same FAISS ranking."""

    name = "standard-recipe"

    def __init__(self, corpus: Path, cache_dir: Path, settings: Settings) -> None:
        self.chunks = chunk_pdfs(corpus)
        self.embedder = factory.create(
            settings.model, device=settings.device, batch_size=settings.batch_size
        )
        cache = EmbeddingCache(cache_dir / "embeddings.sqlite")
        try:
            vectors, embedded = embed_passages(
                [c.text for c in self.chunks], self.embedder, cache, settings.model_name
            )
        finally:
            cache.close()
        log.info("standard recipe: %d chunks (%d embedded)", len(self.chunks), embedded)
        self.index = faiss.IndexFlatL2(vectors.shape[1])
        self.index.add(vectors)

    def search(self, query: str, k: int, mode: str) -> list[Result]:
        vector = self.embedder.encode_queries([query]).astype(np.float32)
        distances, ids = self.index.search(vector, min(k, len(self.chunks)))
        return [
            Result(
                doc=self.chunks[i].doc,
                text=self.chunks[i].text,
                passage_id=f"{self.chunks[i].doc}:p{self.chunks[i].page}",
                score=-float(d),
                citation=f"{self.chunks[i].doc}, p. {self.chunks[i].page}",
            )
            for d, i in zip(distances[0], ids[0], strict=True)
            if i >= 0
        ]
