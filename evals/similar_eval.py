"""``cartagena eval --similar FILE``: does /similar rank a reworded precedent's source first?

Each line of a similar file is one draft (``shared/evals/README.md``, "Paraphrased precedents"):
``{"id", "text", "source": {"doc", "text"}}`` (optional ``tags``), a draft that restates a
passage of the corpus in other words. The passage holding the ``source`` span is found under
the span rule of ``evals/relevance.py``; the figures are the share of drafts whose source ranks
first (*source-first rate*, the headline) and the mean reciprocal rank of the source within the
top k (0 when absent).

Cross-validation (``--crossval N``) checks that the /similar weight of wording against meaning
(``similar_lexical_weight``) is not tuned to the very drafts it is scored on: drafts are dealt
into N folds (deterministic by id); for each fold the weight that does best on the other folds
ranks the held-out fold. Candidates and their two scores do not depend on the weight, so each
draft is searched once and only re-ranked per grid point.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cartagena.errors import CartagenaError
from evals.gold import Span, _doc_id
from evals.relevance import Passage, hits
from evals.report import write_files
from evals.thresholds import check_files
from search.engine import Searcher
from search.similar import find_similar

log = logging.getLogger(__name__)

# similar_lexical_weight values tried by cross-validation.
WEIGHTS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
SIMILAR_KNOBS = (
    "similar_candidates",
    "similar_ngram",
    "similar_reuse_min",
    "similar_lexical_weight",
)


class SimilarFormatError(CartagenaError):
    """A similar-eval line that does not follow the paraphrased-precedent format."""


@dataclass(frozen=True)
class SimilarItem:
    id: str
    text: str
    source: Span
    file: str  # the file's stem
    tags: tuple[str, ...] = ()


@dataclass
class Ranked:
    """One candidate passage as /similar returned it, with its two scores."""

    doc: str
    text: str
    cosine: float = 0.0
    wording: float = 0.0


@dataclass
class SimilarOutcome:
    """What /similar returned for one draft, in rank order."""

    ranked: list[Ranked] = field(default_factory=list)

    def source_rank(self, span: Span, k: int) -> int:
        """1-based rank of the first passage holding ``span`` within the top ``k``; 0 if none."""
        for rank, r in enumerate(self.ranked[:k], start=1):
            if hits(Passage(r.doc, r.text), span):
                return rank
        return 0

    def reranked(self, weight: float) -> SimilarOutcome:
        """The same candidates in the order /similar gives them under ``weight``."""
        order = sorted(self.ranked, key=lambda r: -((1 - weight) * r.cosine + weight * r.wording))
        return SimilarOutcome(order)


def parse_similar_line(line: str, file: str, where: str) -> SimilarItem:
    try:
        raw = json.loads(line)
        text, source = raw["text"], raw["source"]
        if not isinstance(text, str) or not text.strip():
            raise ValueError("empty text")
        if not isinstance(source["text"], str) or not source["text"].strip():
            raise ValueError("empty source text")
        span = Span(doc=_doc_id(source["doc"]), text=source["text"])
        return SimilarItem(str(raw["id"]), text, span, file, tuple(raw.get("tags", ())))
    except (ValueError, KeyError, TypeError) as exc:
        raise SimilarFormatError(
            f"{where}: not a paraphrased precedent ({exc!r}); expected "
            '{"id", "text", "source": {"doc", "text"}}'
        ) from exc


def load_similar(paths: Sequence[Path]) -> list[SimilarItem]:
    """Every draft of ``paths``, in file order; blank lines skipped."""
    items = []
    for path in paths:
        if not path.is_file():
            raise SimilarFormatError(f"no similar-eval file at {path}")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                items.append(parse_similar_line(line, path.stem, f"{path}:{n}"))
    keys = [(i.file, i.id) for i in items]
    if len(set(keys)) != len(keys):
        raise SimilarFormatError("duplicate draft ids within one file")
    return items


def similar_engine(searcher: Searcher, items: list[SimilarItem], k: int) -> list[SimilarOutcome]:
    """/similar in process: the top ``k`` of each draft."""
    return [
        SimilarOutcome(
            [
                Ranked(s.hit.doc_id, s.hit.text, s.cosine, s.wording)
                for s in find_similar(searcher, item.text, k)
            ]
        )
        for item in items
    ]


def similar_http(
    url: str, items: list[SimilarItem], k: int, timeout: float = 60.0
) -> list[SimilarOutcome]:
    """/similar through a running server's POST /similar, exactly as a client sees it."""
    out = []
    for item in items:
        body = json.dumps({"text": item.text, "k": k}).encode()
        req = urllib.request.Request(
            url.rstrip("/") + "/similar", body, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                data = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise CartagenaError(f"{url} answered HTTP {exc.code}: {exc.read()[:300]!r}") from exc
        except urllib.error.URLError as exc:
            raise CartagenaError(f"cannot reach {url}: {exc.reason}") from exc
        out.append(
            SimilarOutcome(
                [
                    Ranked(r["doc_id"], r["text"], r.get("cosine", 0.0), r.get("wording", 0.0))
                    for r in data["results"]
                ]
            )
        )
    return out


def _group(ranks: list[int]) -> dict:
    n = len(ranks)
    first = sum(r == 1 for r in ranks)
    return {
        "drafts": n,
        "source_first": first,
        "source_first_rate": round(first / n, 4) if n else None,
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4) if n else None,
        "source_in_top_k": sum(r > 0 for r in ranks),
    }


def summarize(items: list[SimilarItem], outcomes: list[SimilarOutcome], k: int) -> dict:
    ranks = [o.source_rank(i.source, k) for i, o in zip(items, outcomes, strict=True)]
    files = list(dict.fromkeys(i.file for i in items))
    tags = sorted({t for i in items for t in i.tags})
    return {
        "k": k,
        "all": _group(ranks),
        "files": {
            f: _group([r for i, r in zip(items, ranks, strict=True) if i.file == f]) for f in files
        },
        "tags": {
            t: _group([r for i, r in zip(items, ranks, strict=True) if t in i.tags]) for t in tags
        },
        "failures": [
            {
                "file": i.file,
                "id": i.id,
                "text": i.text,
                "source": {"doc": i.source.doc, "text": i.source.text},
                "source_rank": r,
                "first": {"doc": o.ranked[0].doc, "text": o.ranked[0].text} if o.ranked else None,
            }
            for i, o, r in zip(items, outcomes, ranks, strict=True)
            if r != 1
        ],
    }


def assign_folds(items: list[SimilarItem], folds: int) -> list[int]:
    """Fold of each draft: dealt round-robin in the order of a hash of file and id."""
    order = sorted(
        range(len(items)),
        key=lambda n: hashlib.sha1(f"{items[n].file}/{items[n].id}".encode()).hexdigest(),
    )
    out = [0] * len(items)
    for rank, n in enumerate(order):
        out[n] = rank % folds
    return out


def crossval(
    items: list[SimilarItem], candidates: list[SimilarOutcome], folds: int, k: int
) -> dict:
    """Held-out figures: per fold, the weight best on the other folds ranks this one.

    ``candidates`` must hold every candidate of each draft (searched with a large k), so that
    re-ranking them under another weight is what /similar would return under it."""
    ranks = {
        w: [c.reranked(w).source_rank(i.source, k) for i, c in zip(items, candidates, strict=True)]
        for w in WEIGHTS
    }

    def objective(w: float, idx: list[int]) -> tuple[float, float]:
        g = _group([ranks[w][n] for n in idx])
        return g["source_first_rate"] or 0.0, g["mrr"] or 0.0

    fold = assign_folds(items, folds)
    held: list[int] = [0] * len(items)
    chosen = []
    for f in range(folds):
        train = [n for n in range(len(items)) if fold[n] != f]
        test = [n for n in range(len(items)) if fold[n] == f]
        # ties go to the middle of the grid: the weight least at the edge of what was tried
        best = max(WEIGHTS, key=lambda w: (*objective(w, train), -abs(w - 0.5)))
        chosen.append({"fold": f, "drafts": len(test), "similar_lexical_weight": best})
        for n in test:
            held[n] = ranks[best][n]
    everything = list(range(len(items)))
    return {
        "folds": folds,
        "weights": list(WEIGHTS),
        "chosen_per_fold": chosen,
        "held_out": _group(held),
        "by_weight_all_in": {str(w): _group(ranks[w]) for w in WEIGHTS},
        "best_all_in": max(WEIGHTS, key=lambda w: (*objective(w, everything), -abs(w - 0.5))),
    }


def build_similar_report(
    items: list[SimilarItem],
    outcomes: list[SimilarOutcome],
    k: int,
    context: dict,
    cv: dict | None = None,
) -> dict:
    name = "similar-" + "+".join(dict.fromkeys(i.file for i in items))
    report = {"dataset": name, "kind": "similar", **context, **summarize(items, outcomes, k)}
    if cv is not None:
        report["crossval"] = cv
    return report


def _rate(g: dict) -> str:
    return (
        f"{g['source_first']}/{g['drafts']} ({g['source_first_rate']:.0%})" if g["drafts"] else "-"
    )


def _clip(text: str, n: int = 200) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= n else flat[: n - 1] + "\u2026"


def similar_markdown(report: dict) -> str:
    lines = [f"## /similar on {report['dataset']}", ""]
    if report.get("command"):
        lines += [f"command: `{report['command']}`", ""]
    if report.get("settings"):
        knobs = ", ".join(f"{k}={v}" for k, v in report["settings"].items())
        lines += [f"settings: {knobs}", ""]
    lines += [
        f"| file | source first | MRR@{report['k']} | source in top {report['k']} |",
        "| --- | --- | --- | --- |",
    ]
    for name, g in [*report["files"].items(), ("all", report["all"])]:
        lines.append(f"| {name} | {_rate(g)} | {g['mrr']:.3f} | {g['source_in_top_k']} |")
    if report["tags"]:
        lines += ["", "| tag | source first | MRR |", "| --- | --- | --- |"]
        lines += [f"| {t} | {_rate(g)} | {g['mrr']:.3f} |" for t, g in report["tags"].items()]
    cv = report.get("crossval")
    if cv:
        h = cv["held_out"]
        lines += [
            "",
            f"### Cross-validation ({cv['folds']} folds) of similar_lexical_weight",
            "",
            f"held-out: source first {_rate(h)}, MRR {h['mrr']:.3f}; chosen per fold: "
            + ", ".join(str(c["similar_lexical_weight"]) for c in cv["chosen_per_fold"]),
            "",
            "| weight | source first (all in) | MRR (all in) |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| {w} | {_rate(g)} | {g['mrr']:.3f} |" for w, g in cv["by_weight_all_in"].items()
        ]
    if report["failures"]:
        lines += ["", "### Source not first", ""]
        for f in report["failures"]:
            first = f["first"]
            top = f"[{first['doc']}] {_clip(first['text'])}" if first else "nothing"
            lines += [
                f"- `{f['file']}/{f['id']}` (source at rank {f['source_rank'] or '-'}): "
                f"{_clip(f['text'])}",
                f'  - source: [{f["source"]["doc"]}] "{_clip(f["source"]["text"])}"',
                f"  - ranked first: {top}",
            ]
    return "\n".join(lines) + "\n"


def write_similar_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    return write_files(report, out_dir, similar_markdown(report))


def check_similar(report: dict, thresholds: dict) -> list[str]:
    """One message per figure below its floor in the ``[similar.<file>]`` sections."""
    return check_files(report, thresholds, "similar", "/similar")
