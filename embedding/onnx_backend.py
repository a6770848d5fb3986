"""The same model exported to ONNX, optionally int8-quantised, run by onnxruntime.

Queries use fp32 ONNX by default (``CARTAGENA_QUERY_BACKEND=auto``): torch's fixed cost per
call dwarfs the arithmetic of a ten-token query. The server's export is *packed* (a batch's
queries end to end, no padding; see :func:`_export`). For ingest, ``CARTAGENA_EMBED_BACKEND=onnx``
or ``onnx-int8`` are available, but on an AVX2 CPU without VNNI neither beats torch on
256-token passages (``benchmarks/README.md`` §2); both need ``pip install -e '.[fast]'``. The
model is exported once from the local weights (never the hub) into
``<cache_dir>/onnx/<name>/``, with a lock so that concurrent builds export it once, and run
with onnxruntime: tokenise, run the transformer, mean-pool over the attention mask, normalise,
which is exactly what the sentence-transformers pipeline of all-MiniLM-L6-v2 does.

sentence-transformers' own ``backend="onnx"`` needs optimum, whose ONNX exporter pins
transformers < 4.58 while sentence-transformers >= 5 needs transformers >= 5; exporting with
``torch.onnx`` and quantising with ``onnxruntime.quantization`` avoids that conflict.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from cartagena.errors import CartagenaError
from embedding.base import Embedder
from embedding.torch_backend import TorchEmbedder, TransformersTokens, encode_with, offline

log = logging.getLogger(__name__)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _require_fast() -> None:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise CartagenaError(
            "the onnx embedding backends need onnxruntime and onnx: "
            "install them with `pip install -e '.[fast]'`"
        ) from exc


def export_dir(model_ref: str, cache_dir: Path) -> Path:
    """Where the exported files of ``model_ref`` live: named by the weights' content."""
    config = Path(model_ref) / "config.json"
    stamp = config.read_bytes() if config.is_file() else model_ref.encode()
    digest = hashlib.sha256(stamp + model_ref.encode()).hexdigest()[:12]
    return cache_dir / "onnx" / f"{Path(model_ref).name or 'model'}-{digest}"


def _export(model_ref: str, target: Path, packed: bool) -> None:
    """Export the transformer's last hidden state, padded (``input_ids``, ``attention_mask``,
    ``token_type_ids``, all ``[batch, tokens]``) or packed.

    Packed, several texts lie end to end in one row, each attending to itself only: inputs
    ``input_ids``, ``position_ids`` (restarting at 0 for each text) and ``segment`` (which text
    a token belongs to), all ``[1, tokens]``. A batch of short queries then costs the sum of
    their tokens instead of their number times the longest one."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(model_ref).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, second, third):
            if packed:  # second: position ids, third: segments
                mask = (third[:, :, None] == third[:, None, :]).unsqueeze(1)
                args = {"position_ids": second, "attention_mask": mask}
                args["token_type_ids"] = torch.zeros_like(input_ids)
            else:  # second: attention mask, third: token type ids
                args = {"attention_mask": second, "token_type_ids": third}
            return self.model(input_ids=input_ids, **args).last_hidden_state

    if packed:
        names = ["input_ids", "position_ids", "segment"]
        rows = (
            [101, 1037, 7099, 102, 101, 2178, 102],
            [0, 1, 2, 3, 0, 1, 2],
            [0, 0, 0, 0, 1, 1, 1],
        )
        sample = tuple(torch.tensor([row]) for row in rows)  # two texts: ids, positions, segments
        axes = {name: {1: "tokens"} for name in (*names, "last_hidden_state")}
    else:
        names = list(_INPUTS)
        tokenizer = AutoTokenizer.from_pretrained(model_ref)
        batch = tokenizer(["a sample", "another, longer sample"], padding=True, return_tensors="pt")
        sample = tuple(batch[name] for name in names)
        axes = {name: {0: "batch", 1: "tokens"} for name in (*names, "last_hidden_state")}
    tmp = target.with_suffix(".tmp")
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState(),
            sample,
            str(tmp),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp, target)


def _quantize(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_suffix(".tmp")
    quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    os.replace(tmp, target)


FILES = {"fp32": "model.onnx", "int8": "model_qint8.onnx", "packed": "model_packed.onnx"}


def ensure_exported(model_ref: str, cache_dir: Path, variant: str = "fp32") -> Path:
    """The ONNX file of ``variant`` for ``model_ref``, exported once: ``fp32``, ``int8``
    (dynamic quantisation of fp32) or ``packed`` (fp32, texts laid end to end)."""
    _require_fast()
    folder = export_dir(model_ref, cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    files = {v: folder / name for v, name in FILES.items()}
    with (folder / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        if variant in ("fp32", "int8") and not files["fp32"].is_file():
            log.info("exporting %s to ONNX in %s", model_ref, folder)
            _export(model_ref, files["fp32"], packed=False)
        if variant == "int8" and not files["int8"].is_file():
            log.info("quantising %s to int8", files["fp32"])
            _quantize(files["fp32"], files["int8"])
        if variant == "packed" and not files["packed"].is_file():
            log.info("exporting %s to packed ONNX in %s", model_ref, folder)
            _export(model_ref, files["packed"], packed=True)
    return files[variant]


def _max_seq_length(model_ref: str, default: int = 256) -> int:
    config = Path(model_ref) / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", default))
    return default


class OnnxEncoder:
    """The subset of ``SentenceTransformer`` that :class:`OnnxEmbedder` uses."""

    def __init__(
        self,
        model_ref: str,
        cache_dir: Path,
        variant: str = "fp32",
        threads: int = 0,
        spinning: bool = True,
    ) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        path = ensure_exported(model_ref, cache_dir, variant)
        self.packed = variant == "packed"
        options = ort.SessionOptions()
        if threads > 0:
            options.intra_op_num_threads = threads
        if not spinning:
            # a server between queries: idle threads must sleep, not spin on the cores
            # the HTTP stack and the other workers need
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.tokenizer = AutoTokenizer.from_pretrained(model_ref)
        self.max_seq_length = _max_seq_length(model_ref)
        self.path = path

    def get_sentence_embedding_dimension(self) -> int:
        return int(self.encode(["x"]).shape[1])

    def _packed(self, texts: list[str]) -> np.ndarray:
        """Texts laid end to end in runs of up to ``max_seq_length`` tokens: no padding."""
        ids = self.tokenizer(texts, truncation=True, max_length=self.max_seq_length)["input_ids"]
        out: np.ndarray | None = None
        start = 0
        while start < len(ids):
            end, tokens = start + 1, len(ids[start])
            while end < len(ids) and tokens + len(ids[end]) <= self.max_seq_length:
                tokens += len(ids[end])
                end += 1
            lengths = np.array([len(i) for i in ids[start:end]])
            feeds = {
                "input_ids": np.concatenate(ids[start:end]).astype(np.int64)[None],
                "position_ids": np.concatenate([np.arange(n) for n in lengths])[None],
                "segment": np.repeat(np.arange(len(lengths)), lengths)[None],
            }
            hidden = self.session.run(None, feeds)[0][0]
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            pooled = np.add.reduceat(hidden, starts, axis=0) / lengths[:, None]
            if out is None:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[start:end] = pooled
            start = end
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_seq_length,
            return_tensors="np",
        )
        feeds = {name: enc[name].astype(np.int64) for name in self.inputs}
        hidden = self.session.run(None, feeds)[0]
        mask = enc["attention_mask"].astype(np.float32)[:, :, None]
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return pooled.astype(np.float32)

    def _padded(self, texts: list[str], batch_size: int) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")  # similar lengths batch
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            vectors = self._batch([texts[i] for i in rows])
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
        return out

    def encode(
        self,
        texts: list[str],
        batch_size: int = 32,
        normalize_embeddings: bool = True,
        convert_to_numpy: bool = True,
        show_progress_bar: bool = False,
        **_: Any,
    ) -> np.ndarray:
        """Mean-pooled (and by default unit-length) vectors, in the order of ``texts``."""
        out = self._packed(texts) if self.packed else self._padded(texts, batch_size)
        if normalize_embeddings and len(out):
            out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return out


class OnnxEmbedder(TransformersTokens, Embedder):
    """The checkpoint exported to ONNX: ``variant`` ``fp32``, ``int8`` (``onnx-int8``) or
    ``packed`` (a server's micro-batches of short queries, laid end to end without padding).

    ``fallback``: a torch embedder of the same checkpoint to use when the export cannot be had
    (``CARTAGENA_QUERY_BACKEND=auto`` must never stop a server); without one, that is an error.
    """

    def __init__(
        self,
        model_ref: str,
        cache_dir: Path,
        variant: str = "fp32",
        threads: int = 0,
        spinning: bool = True,
        batch_size: int = 32,
        fallback: TorchEmbedder | None = None,
    ) -> None:
        offline()
        self.model_ref = model_ref
        self.cache_dir = cache_dir
        self.variant = variant
        self.threads = threads
        self.spinning = spinning
        self.batch_size = batch_size
        self.fallback = fallback
        self.backend = "onnx-int8" if variant == "int8" else "onnx"

    @cached_property
    def model(self) -> Any:
        log.info("loading embedding model %s (ONNX %s)", self.model_ref, self.variant)
        try:
            return OnnxEncoder(
                self.model_ref, self.cache_dir, self.variant, self.threads, self.spinning
            )
        except (OSError, CartagenaError) as exc:
            if self.fallback is None:
                raise
            log.warning("ONNX query model unavailable (%s): using torch", exc)
            self.backend = self.fallback.backend
            return self.fallback.model

    def _encode_documents(self, texts: list[str], progress: bool) -> np.ndarray:
        return encode_with(self.model, texts, self.batch_size, progress)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        return encode_with(self.model, texts, self.batch_size, progress=False)

    def cache_key(self, model_name: str) -> str:
        return model_name if self.backend == "torch" else f"{model_name}+{self.backend}"
