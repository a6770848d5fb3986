"""Where embeddings are kept between builds, by key (``embedding.cached.content_key``).

The cache lives beside the index versions (``layout.CACHE``) and outlives them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from index import layout


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)"
        )

    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            batch = unique[i : i + 500]
            marks = ",".join("?" * len(batch))
            for key, _dim, blob in self.conn.execute(
                f"SELECT key, dim, vec FROM embeddings WHERE key IN ({marks})", batch
            ):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (key, dim, vec) VALUES (?, ?, ?)",
                (
                    (k, int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                    for k, v in items
                ),
            )

    def close(self) -> None:
        self.conn.close()


@contextmanager
def open_cache(index_dir: Path) -> Iterator[EmbeddingCache]:
    """The embedding cache of the index at ``index_dir`` (``layout.CACHE``), closed after."""
    cache = EmbeddingCache(index_dir / layout.CACHE)
    try:
        yield cache
    finally:
        cache.close()
