"""The Milvus vector store against a real milvus-lite file: the same search as FAISS.

The shared corpus is ingested with CARTAGENA_VECTOR_STORE=milvus into a milvus-lite data file
(pymilvus talks to it as to a server); filters run inside Milvus as its expressions, and
dense, hybrid and phrase searches must return what the FAISS index of the same corpus does.
The cross-lingual model's vectors are a second collection: Spanish and Portuguese queries
rank as over FAISS, filters included, and an index built without them still serves. A build
killed while writing its collection, or before moving the alias, leaves the served version and
aliases whole; one killed between the two alias moves leaves the aliases on two versions, while
a server serves both collections of the version CURRENT names, and the next build repairs them.
Needs the ``[milvus]`` extra (installed by ``make install``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from cartagena.errors import IndexIncompatibleError
from cartagena.settings import Settings
from embedding.base import Embedder
from evals.gold import load_gold
from index import layout
from index.milvus_store import CROSSLINGUAL_SUFFIX, MilvusStore, release
from index.models import Filters
from index.vectors import MilvusVectors, milvus_expression
from ingest.build import build_index
from search.engine import Searcher
from search.loader import load_searcher
from tests.utils.local import cli
from tests.utils.shared import CONSULTATION, PLEDGE, BuiltIndex

pytest.importorskip("pymilvus", reason="the [milvus] extra is not installed")
pytestmark = pytest.mark.slow


def milvus_settings(settings: Settings, uri: Path) -> Settings:
    return settings.model_copy(update={"vector_store": "milvus", "milvus_uri": str(uri)})


def seeded_index(built: BuiltIndex, target: Path) -> Path:
    """An empty index directory holding the session index's embedding cache: the Milvus build
    embeds nothing (the content-hash cache is shared by both stores)."""
    (target / layout.CACHE).parent.mkdir(parents=True)
    shutil.copy(built.path / layout.CACHE, target / layout.CACHE)
    return target


@pytest.fixture(scope="module")
def milvus_index(
    built_index: BuiltIndex,
    pdf_dir: Path,
    settings: Settings,
    embedder: Embedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Settings]:
    root = tmp_path_factory.mktemp("milvus")
    index_dir = seeded_index(built_index, root / "index")
    ms = milvus_settings(settings, root / "vectors.db")
    report = build_index(pdf_dir, index_dir, ms, embedder)
    assert report.embedded == 0 and report.passages == built_index.report.passages
    return index_dir, ms


@pytest.fixture(scope="module")
def milvus_searcher(milvus_index: tuple[Path, Settings], embedder: Embedder) -> Searcher:
    return load_searcher(milvus_index[0], milvus_index[1], embedder)


def ids(hits: list) -> list[str]:
    return [h.passage_id for h in hits]


def test_the_manifest_names_the_store_and_the_collection_is_served(
    milvus_index: tuple[Path, Settings], milvus_searcher: Searcher
) -> None:
    index_dir, ms = milvus_index
    manifest = milvus_searcher.store.manifest
    assert manifest["vector_store"] == "milvus"
    assert not (layout.current_version(index_dir) / layout.VECTORS).exists()
    assert isinstance(milvus_searcher.store.vectors, MilvusVectors)
    store = MilvusStore(ms, index_dir)
    assert store.served() == manifest["milvus_collection"]
    assert milvus_searcher.store.vectors.ntotal == milvus_searcher.store.size
    # the cross-lingual set: a second collection of the same rows, behind its own alias
    assert not (layout.current_version(index_dir) / layout.CROSSLINGUAL_VECTORS).exists()
    xl = milvus_searcher.store.crosslingual_vectors
    assert isinstance(xl, MilvusVectors) and milvus_searcher.crosslingual is not None
    assert xl.collection == manifest["crosslingual_milvus_collection"]
    assert xl.collection == manifest["milvus_collection"] + CROSSLINGUAL_SUFFIX
    assert store.served(store.crosslingual_alias) == xl.collection
    assert xl.d == manifest["crosslingual_dimension"]
    primary = milvus_searcher.store.vectors.reconstruct(0)
    assert abs(float(xl.reconstruct(0) @ primary)) < 0.99  # another model's vector of row 0
    count = store.client.get_collection_stats(xl.collection)["row_count"]
    assert int(count) == milvus_searcher.store.size


def test_a_server_refuses_an_index_built_for_the_other_store(
    milvus_index: tuple[Path, Settings], built_index: BuiltIndex, settings: Settings
) -> None:
    with pytest.raises(IndexIncompatibleError, match="CARTAGENA_VECTOR_STORE=milvus"):
        load_searcher(milvus_index[0], settings)
    with pytest.raises(IndexIncompatibleError, match="CARTAGENA_VECTOR_STORE=faiss"):
        load_searcher(built_index.path, milvus_index[1])


def test_dev_set_top10_is_the_faiss_top10(
    searcher: Searcher, milvus_searcher: Searcher, shared_dir: Path
) -> None:
    gold = load_gold(shared_dir / "evals" / "cartagena-dev.jsonl")
    found = total = 0
    for q in gold:
        for mode in ("dense", "hybrid"):
            faiss_top = ids(searcher.search(q.query, k=10, mode=mode))
            milvus_top = ids(milvus_searcher.search(q.query, k=10, mode=mode))
            found += len(set(faiss_top) & set(milvus_top))
            total += len(faiss_top)
    assert total >= 10 * len(gold)
    assert found / total >= 0.99, f"recall@10 of the FAISS top-10: {found / total:.3f}"


def same_scores(got: list, expected: list) -> bool:
    """Milvus' and FAISS' inner products of the same float32 vectors, to float32 rounding."""
    return [h.score for h in got] == pytest.approx([h.score for h in expected], abs=1e-4)


def crosslingual_queries(shared_dir: Path) -> list[str]:
    gold = load_gold(shared_dir / "evals" / "cartagena-dev-crosslingual.jsonl")
    return [q.query for q in gold]


def test_spanish_and_portuguese_queries_rank_as_over_faiss(
    searcher: Searcher, milvus_searcher: Searcher, shared_dir: Path
) -> None:
    """The cross-lingual dev set, routed to the second collection: the FAISS index's ranking
    (same passages, same order, the same scores to float32 rounding)."""
    queries = crosslingual_queries(shared_dir)
    assert len(queries) >= 20
    for query in queries:
        assert milvus_searcher.crosslingual_route(query), query
        for mode in ("dense", "hybrid"):
            expected = searcher.search(query, k=10, mode=mode)
            got = milvus_searcher.search(query, k=10, mode=mode)
            assert got and ids(got) == ids(expected), (query, mode)
            assert same_scores(got, expected), (query, mode)


FILTERS = [
    Filters(doc_ids=(PLEDGE,)),
    Filters(year_from=2025),
    Filters(year_to=2024),
    Filters(year_from=2024, year_to=2024, include_footnotes=False),
    Filters(languages=("es",)),
    Filters(languages=("en",), doc_ids=(CONSULTATION, "no-such-doc")),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: milvus_expression_of(f) or "none")
@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_filters_run_in_milvus_and_agree_with_faiss(
    filters: Filters, mode: str, searcher: Searcher, milvus_searcher: Searcher
) -> None:
    query = "access to asylum and international protection"
    expected = searcher.search(query, k=10, mode=mode, filters=filters)
    got = milvus_searcher.search(query, k=10, mode=mode, filters=filters)
    assert ids(got) == ids(expected)
    assert [round(h.score, 4) for h in got] == [round(h.score, 4) for h in expected]
    mask = milvus_searcher.store.mask(filters)
    assert mask is None or all(mask[milvus_searcher.store.row_of(h.passage_id)] for h in got)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: milvus_expression_of(f) or "none")
def test_filters_run_in_the_crosslingual_collection_and_agree_with_faiss(
    filters: Filters, searcher: Searcher, milvus_searcher: Searcher
) -> None:
    query = "acceso al asilo y a la protección internacional"
    assert milvus_searcher.crosslingual_route(query)
    xl = milvus_searcher.store.crosslingual_vectors
    assert isinstance(xl, MilvusVectors)
    seen: list[str] = []
    original = xl.client.search

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(str(args[0]))
        return original(*args, **kwargs)

    for mode in ("dense", "hybrid"):
        expected = searcher.search(query, k=10, mode=mode, filters=filters)
        xl.client.search = spy
        try:
            got = milvus_searcher.search(query, k=10, mode=mode, filters=filters)
        finally:
            xl.client.search = original
        assert ids(got) == ids(expected), mode
        assert same_scores(got, expected), mode
        mask = milvus_searcher.store.mask(filters)
        assert mask is None or all(mask[milvus_searcher.store.row_of(h.passage_id)] for h in got)
    if mask is None or mask.any():  # (no row at all: nothing to search, e.g. lang es here)
        assert xl.collection in seen  # the Spanish query's dense side ran in the second one


def test_kind_filter_and_the_expression_milvus_runs(
    searcher: Searcher, milvus_searcher: Searcher
) -> None:
    kind = str(milvus_searcher.store.rows.kinds[0])
    filters = Filters(kinds=(kind,), year_from=2024)
    query = "statelessness"
    assert ids(milvus_searcher.search(query, k=10, mode="dense", filters=filters)) == ids(
        searcher.search(query, k=10, mode="dense", filters=filters)
    )
    # metadata conditions go to Milvus as its filter, not as a list of rows
    store = milvus_searcher.store
    vectors = store.vectors
    assert isinstance(vectors, MilvusVectors)
    seen: list[str] = []
    original = vectors.client.search

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(str(kwargs.get("filter", "")))
        return original(*args, **kwargs)

    vectors.client.search = spy
    try:
        milvus_searcher.dense_passages(query, 5, store.mask(filters), filters)
        milvus_searcher.dense_passages('"durable solutions"', 5, phrase_mask(milvus_searcher), None)
    finally:
        vectors.client.search = original
    assert seen[0] == f'year >= 2024 and kind in ["{kind}"]'
    assert seen[1].startswith("row in [")


def milvus_expression_of(filters: Filters) -> str:
    from index.vectors import VectorWhere

    return milvus_expression(
        VectorWhere(
            doc_ids=filters.doc_ids,
            year_from=filters.year_from,
            year_to=filters.year_to,
            kinds=filters.kinds,
            languages=filters.languages,
            footnotes=filters.include_footnotes,
        )
    )


def phrase_mask(searcher: Searcher):  # noqa: ANN201 - numpy mask
    from search.query import parse_query

    return searcher._mask(parse_query('"durable solutions"'), Filters())


@pytest.mark.parametrize("mode", ["dense", "hybrid", "lexical"])
def test_exact_phrases_with_and_without_filters(
    mode: str, searcher: Searcher, milvus_searcher: Searcher
) -> None:
    for query, filters in [
        ('"durable solutions" for refugees', Filters()),
        ('"family reunification"', Filters(year_from=2025)),
    ]:
        expected = searcher.search(query, k=10, mode=mode, filters=filters)
        got = milvus_searcher.search(query, k=10, mode=mode, filters=filters)
        assert got, query
        assert ids(got) == ids(expected)


def test_similar_reads_vectors_back_from_milvus(
    searcher: Searcher, milvus_searcher: Searcher
) -> None:
    for row in (0, milvus_searcher.store.size - 1):
        a = searcher.store.vectors.reconstruct(row)
        b = milvus_searcher.store.vectors.reconstruct(row)
        assert abs(float(a @ b) - 1.0) < 1e-5
    rows = [5, 0, milvus_searcher.store.size - 1, 17]  # in the order asked, one round trip
    a = searcher.store.vectors.reconstruct_many(rows)
    b = milvus_searcher.store.vectors.reconstruct_many(rows)
    assert a.shape == b.shape == (4, searcher.store.vectors.d)
    assert np.allclose(np.sum(a * b, axis=1), 1.0, atol=1e-5)


def test_the_api_serves_a_milvus_index(
    milvus_index: tuple[Path, Settings], milvus_searcher: Searcher
) -> None:
    from api.app import create_app

    index_dir, ms = milvus_index
    with TestClient(create_app(index_dir, ms), raise_server_exceptions=False) as client:
        got = client.get("/search", params={"q": "family reunification", "year_from": 2025, "k": 3})
        assert got.status_code == 200, got.text
        hits = got.json()["results"]
        assert hits and all(h["year"] == 2025 for h in hits)


def test_an_index_without_the_crosslingual_collection_still_serves(
    built_index: BuiltIndex,
    pdf_dir: Path,
    settings: Settings,
    embedder: Embedder,
    tmp_path: Path,
    shared_dir: Path,
) -> None:
    """Built with the second model off, as every Milvus index was before it kept the second
    set: the default settings serve it, Spanish queries on the primary model (as over FAISS),
    and the build took the cross-lingual alias away from the previous version's set."""
    index_dir = seeded_index(built_index, tmp_path / "index")
    ms = milvus_settings(settings, tmp_path / "vectors.db")
    build_index(pdf_dir, index_dir, ms, embedder)  # with the second set
    store = MilvusStore(ms, index_dir)
    assert store.served(store.crosslingual_alias)
    off = ms.model_copy(update={"crosslingual_model": None})
    build_index(pdf_dir, index_dir, off, embedder)
    manifest = json.loads((layout.current_version(index_dir) / layout.MANIFEST).read_text())
    assert not any(key.startswith("crosslingual") for key in manifest)
    assert store.served(store.crosslingual_alias) is None
    assert store.served() == manifest["milvus_collection"]

    served = load_searcher(index_dir, ms, embedder)  # the default settings serve it
    assert served.store.crosslingual_vectors is None and served.crosslingual is None
    primary_only = Searcher(served.store, embedder, ms)
    for query in crosslingual_queries(shared_dir)[:3]:
        got = served.search(query, k=5)
        assert got and ids(got) == ids(primary_only.search(query, k=5)), query
    served.store.close()


CRASH_POINTS = ["milvus-mid-insert", "before-rename", "before-alias", "milvus-between-aliases"]
NEW_DOC = (
    "# Lima Note\n\n## I. Registration\n\n"
    "Mobile registration units shall reach border towns so that displaced families are "
    "documented within seventy-two hours of arrival.\n"
)
SPANISH_NOTE_QUERY = 'registro de las familias desplazadas en la frontera "seventy-two hours"'


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_killed_build_leaves_the_alias_and_the_served_version_whole(
    point: str,
    built_index: BuiltIndex,
    pdf_dir: Path,
    settings: Settings,
    embedder: Embedder,
    tmp_path: Path,
) -> None:
    index_dir = seeded_index(built_index, tmp_path / "index")
    uri = tmp_path / "vectors.db"
    ms = milvus_settings(settings, uri)
    build_index(pdf_dir, index_dir, ms, embedder)
    before = layout.current_version(index_dir).name
    store = MilvusStore(ms, index_dir)
    served = store.served()
    served_xl = store.served(store.crosslingual_alias)
    release(str(uri))  # milvus-lite: one process at a time holds the file

    corpus = tmp_path / "corpus"
    shutil.copytree(pdf_dir, corpus)
    (corpus / "lima-note.md").write_text(NEW_DOC)
    env = {
        **os.environ,
        "CARTAGENA_CRASH_AT": point,
        "CARTAGENA_VECTOR_STORE": "milvus",
        "CARTAGENA_MILVUS_URI": str(uri),
    }
    proc = subprocess.run(
        cli("ingest", "--corpus", str(corpus), "--index", str(index_dir)),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]

    store = MilvusStore(ms, index_dir)
    if point == "before-alias":
        # the version directory is published; the alias still names the previous collection,
        # whole, and the server reads the collection its own manifest names
        assert store.served() == served
        current = layout.current_version(index_dir)
        assert current.name != before
        manifest = json.loads((current / layout.MANIFEST).read_text())
        assert manifest["milvus_collection"] in store.client.list_collections()
    elif point == "milvus-between-aliases":
        # the primary alias moved, the cross-lingual one still names the previous version's
        # set; a server loads the collections of the version CURRENT names, both of them
        current = layout.current_version(index_dir)
        assert current.name != before
        manifest = json.loads((current / layout.MANIFEST).read_text())
        assert store.served() == manifest["milvus_collection"]
        assert store.served(store.crosslingual_alias) == served_xl
        torn = load_searcher(index_dir, ms, embedder)
        assert torn.store.version == current.name
        vectors, xl_vectors = torn.store.vectors, torn.store.crosslingual_vectors
        assert isinstance(vectors, MilvusVectors) and isinstance(xl_vectors, MilvusVectors)
        assert vectors.collection == manifest["milvus_collection"]
        assert xl_vectors.collection == manifest["crosslingual_milvus_collection"]
        assert torn.search('"seventy-two hours"', k=1, mode="dense")[0].doc_id == "lima-note"
        assert torn.crosslingual_route(SPANISH_NOTE_QUERY)
        assert torn.search(SPANISH_NOTE_QUERY, k=1, mode="dense")[0].doc_id == "lima-note"
    else:
        assert layout.current_version(index_dir).name == before
        assert store.served() == served
        old = load_searcher(index_dir, ms, embedder)
        assert old.store.version == before
        assert old.search("family reunification", k=3, mode="dense")
        assert "lima-note" not in old.store.doc_ids

    # the next build completes, moves the alias, and drops the abandoned collection
    report = build_index(corpus, index_dir, ms, embedder)
    # incremental: the killed build had embedded the note, and the content-hash cache kept it
    assert report.embedded == 0 and report.documents == 3
    after = load_searcher(index_dir, ms, embedder)
    assert after.store.version == report.version
    assert store.served() == after.store.manifest["milvus_collection"]
    xl = after.store.manifest["crosslingual_milvus_collection"]
    assert store.served(store.crosslingual_alias) == xl
    assert after.search('"seventy-two hours"', k=1, mode="dense")[0].doc_id == "lima-note"
    # the new collection holds the new document too
    assert after.crosslingual_route(SPANISH_NOTE_QUERY)
    assert after.search(SPANISH_NOTE_QUERY, k=1, mode="dense")[0].doc_id == "lima-note"
    versions = (index_dir / layout.VERSIONS).glob(f"*/{layout.MANIFEST}")
    manifests = [json.loads(p.read_text()) for p in versions]
    kept = {m["milvus_collection"] for m in manifests}
    kept_xl = {m["crosslingual_milvus_collection"] for m in manifests}
    assert set(store.client.list_collections()) == kept | kept_xl
    assert len(kept) <= settings.keep_versions
