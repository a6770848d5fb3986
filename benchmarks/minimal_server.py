"""The yardstick of issue #5: the smallest FastAPI dense search one would write.

One worker, a plain ``def`` endpoint, ``SentenceTransformer.encode`` per request and an exact
FAISS flat index over the same vectors as the served index (``BENCH_INDEX`` names it). No
batching, no cache, no lexical side, no SQLite: ids and scores only.

    BENCH_INDEX=/tmp/idx uvicorn benchmarks.minimal_server:app --port 8101
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
from fastapi import FastAPI
from sentence_transformers import SentenceTransformer

from cartagena.settings import get_settings
from index import layout

_index = faiss.read_index(
    str(layout.current_version(Path(os.environ["BENCH_INDEX"])) / "vectors.faiss")
)
_model = SentenceTransformer(get_settings().model, device="cpu")
app = FastAPI()


@app.get("/search")
def search(q: str, k: int = 10) -> dict:
    vector = _model.encode([q], normalize_embeddings=True)
    scores, ids = _index.search(vector, k)
    return {"ids": ids[0].tolist(), "scores": scores[0].tolist()}
