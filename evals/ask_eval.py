"""``cartagena eval --ask FILE``: does /ask answer what the documents say and refuse the rest?

Each line of an ask file is one question, in either shared format (``shared/evals/README.md``):

- answerable, dev gold format: ``{"id", "query", "relevant": [{"doc", "text", "grade"}], "tags"}``
- answerable, question format: ``{"id", "question", "evidence": {"doc", "text"}}`` (or a list
  of such spans);
- unanswerable: ``{"id", "question", "evidence": null}``.

An answerable question counts as *answered with evidence* when one of /ask's answer sentences
hits one of its spans under the span rule of ``evals/relevance.py``; an unanswerable one counts
as *refused* when the answer is null. Spanish-tagged (``es``) gold lines are skipped: the
headline is English, as for retrieval.

Cross-validation (``--crossval N``) calibrates the /ask thresholds honestly: answerable and
unanswerable questions are dealt into N folds (stratified, deterministic by id); for each fold
the parameters that do best on the other folds are chosen from a small grid, and the held-out
fold is scored with them. Retrieval and sentence scores do not depend on these parameters, so
each question is retrieved once and only the checks are re-run per grid point.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cartagena.errors import CartagenaError
from evals.gold import Span, _doc_id
from evals.relevance import Passage, hits
from evals.report import write_files
from evals.thresholds import check_files
from search.answer import answer_question
from search.engine import Searcher

log = logging.getLogger(__name__)

# The /ask parameters cross-validated, and the values tried. ``answer_context_weight`` (0.5,
# 0.7) and ``answer_phrase_weight`` (0, 0.3) were in the grid until 2026-12-03; every fold of
# every run chose 0.7 and 0 (evals/REPORT.md), and a pass over the questions takes 3 s, so
# they left it for the meaning pair.
GRID: dict[str, tuple[float, ...]] = {
    "answer_min_score": (0.33, 0.38, 0.42),
    "answer_sentence_min_score": (0.3, 0.36, 0.42),
    "answer_min_coverage": (0.4, 0.5, 0.6, 0.7),
    "answer_meaning_cosine": (0.6, 0.7, 1.0),
    "answer_meaning_coverage": (0.4, 0.5),
}


ASK_KNOBS = (
    "answer_passages",
    "answer_min_score",
    "answer_margin",
    "answer_min_coverage",
    "answer_context_weight",
    "answer_phrase_weight",
    "answer_sentence_min_score",
    "answer_meaning_cosine",
    "answer_meaning_coverage",
)


class AskFormatError(CartagenaError):
    """An ask-eval line that follows none of the accepted formats."""


@dataclass(frozen=True)
class AskItem:
    id: str
    question: str
    spans: tuple[Span, ...]  # empty: the documents do not answer it
    source: str  # the file's stem
    tags: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.spans)


@dataclass
class AskOutcome:
    """What /ask said for one question: its sentences (doc, text), or its refusal."""

    answered: bool
    sentences: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None
    missing: list[str] = field(default_factory=list)


def _spans(evidence: Any) -> tuple[Span, ...]:
    """``null``, one ``{"doc", "text"}`` or a list of them (a malformed one raises)."""
    if evidence is None:
        return ()
    items = evidence if isinstance(evidence, list) else [evidence]
    return tuple(
        Span(doc=_doc_id(e["doc"]), text=e["text"], grade=int(e.get("grade", 2))) for e in items
    )


def parse_ask_line(line: str, source: str, where: str) -> AskItem:
    try:
        raw = json.loads(line)
        if "query" in raw:
            spans = _spans(raw["relevant"])
            question = raw["query"]
        else:
            if "evidence" not in raw:
                raise KeyError("evidence")
            spans = _spans(raw["evidence"])
            question = raw["question"]
        if not isinstance(question, str) or not question.strip():
            raise ValueError("empty question")
        return AskItem(str(raw["id"]), question, spans, source, tuple(raw.get("tags", ())))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AskFormatError(
            f"{where}: not an ask-eval line ({exc!r}); expected "
            '{"id", "question", "evidence": null | {"doc", "text"}} or '
            '{"id", "query", "relevant": [{"doc", "text", "grade"}]}'
        ) from exc


def load_ask(paths: Sequence[Path]) -> list[AskItem]:
    """Every question of ``paths`` in file order; ``es`` gold lines are left out."""
    items = []
    for path in paths:
        if not path.is_file():
            raise AskFormatError(f"no ask-eval file at {path}")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                item = parse_ask_line(line, path.stem, f"{path}:{n}")
                if "es" not in item.tags:
                    items.append(item)
    keys = [(i.source, i.id) for i in items]
    if len(set(keys)) != len(keys):
        raise AskFormatError("duplicate question ids within one file")
    return items


def success(item: AskItem, outcome: AskOutcome) -> bool:
    """Answered with a sentence on the evidence, or refused when there is none."""
    if not item.answerable:
        return not outcome.answered
    return any(
        hits(Passage(doc, text), span) for doc, text in outcome.sentences for span in item.spans
    )


def ask_engine(
    searcher: Searcher, items: list[AskItem], overrides: dict[str, float] | None = None
) -> list[AskOutcome]:
    """/ask in process, with ``overrides`` of the settings (for cross-validation)."""
    if overrides:
        settings = searcher.settings.model_copy(update=overrides)
        searcher = Searcher(searcher.store, searcher.embedder, settings)
    out = []
    for item in items:
        a = answer_question(searcher, item.question)
        out.append(
            AskOutcome(a.answered, [(s.doc_id, s.text) for s in a.sentences], a.reason, a.missing)
        )
    return out


def ask_http(url: str, items: list[AskItem], timeout: float = 60.0) -> list[AskOutcome]:
    """/ask through a running server's POST /ask, exactly as a client sees it."""
    out = []
    for item in items:
        body = json.dumps({"question": item.question}).encode()
        req = urllib.request.Request(
            url.rstrip("/") + "/ask", body, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                data = json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            raise CartagenaError(f"{url} answered HTTP {exc.code}: {exc.read()[:300]!r}") from exc
        sentences = [(s["doc_id"], s["text"]) for s in data.get("answer") or []]
        out.append(
            AskOutcome(bool(sentences), sentences, data.get("reason"), data.get("missing", []))
        )
    return out


def _group(items: list[AskItem], ok: list[bool]) -> dict:
    answerable = [o for i, o in zip(items, ok, strict=True) if i.answerable]
    unanswerable = [o for i, o in zip(items, ok, strict=True) if not i.answerable]
    return {
        "answerable": len(answerable),
        "answered_with_evidence": sum(answerable),
        "answered_with_evidence_rate": round(sum(answerable) / len(answerable), 4)
        if answerable
        else None,
        "unanswerable": len(unanswerable),
        "refused": sum(unanswerable),
        "refused_rate": round(sum(unanswerable) / len(unanswerable), 4) if unanswerable else None,
    }


def summarize(items: list[AskItem], outcomes: list[AskOutcome]) -> dict:
    ok = [success(i, o) for i, o in zip(items, outcomes, strict=True)]
    sources = list(dict.fromkeys(i.source for i in items))
    per_file = {}
    for src in sources:
        idx = [n for n, i in enumerate(items) if i.source == src]
        per_file[src] = _group([items[n] for n in idx], [ok[n] for n in idx])
    return {
        "all": _group(items, ok),
        "files": per_file,
        "failures": [
            {
                "file": i.source,
                "id": i.id,
                "question": i.question,
                "expected": "answer on evidence" if i.answerable else "refusal",
                "answer": " ".join(t for _, t in o.sentences) or None,
                "reason": o.reason,
                "evidence": [s.text for s in i.spans],
            }
            for i, o, good in zip(items, outcomes, ok, strict=True)
            if not good
        ],
    }


def assign_folds(items: list[AskItem], folds: int) -> list[int]:
    """Fold of each item: answerable and unanswerable dealt round-robin by a hash of the id."""
    out = [0] * len(items)
    for answerable in (True, False):
        idx = [n for n, i in enumerate(items) if i.answerable == answerable]
        idx.sort(
            key=lambda n: hashlib.sha1(f"{items[n].source}/{items[n].id}".encode()).hexdigest()
        )
        for rank, n in enumerate(idx):
            out[n] = rank % folds
    return out


def grid_points() -> list[dict[str, float]]:
    """Every combination, less those that only differ in a coverage the meaning cosine 1.0
    (off) never uses."""
    keys = list(GRID)
    points = [dict(zip(keys, values, strict=True)) for values in itertools.product(*GRID.values())]
    unused = GRID["answer_meaning_coverage"][1:]
    return [
        p
        for p in points
        if not (p["answer_meaning_cosine"] >= 1.0 and p["answer_meaning_coverage"] in unused)
    ]


def _objective(items: list[AskItem], ok: list[bool], idx: list[int]) -> float:
    """Mean of the answered-with-evidence rate and the refusal rate on ``idx``."""
    g = _group([items[n] for n in idx], [ok[n] for n in idx])
    rates = [r for r in (g["answered_with_evidence_rate"], g["refused_rate"]) if r is not None]
    return sum(rates) / len(rates) if rates else 0.0


def crossval(
    items: list[AskItem], outcomes_for: Callable[[dict[str, float]], list[AskOutcome]], folds: int
) -> dict:
    """Held-out figures: per fold, the grid point best on the other folds scores this one."""
    points = grid_points()
    ok_by_point = []
    for point in points:
        outcomes = outcomes_for(point)
        ok_by_point.append([success(i, o) for i, o in zip(items, outcomes, strict=True)])
    fold = assign_folds(items, folds)
    held_ok: list[bool] = [False] * len(items)
    chosen = []
    for f in range(folds):
        train = [n for n in range(len(items)) if fold[n] != f]
        test = [n for n in range(len(items)) if fold[n] == f]
        # best training objective; ties go to the later grid point (the stricter thresholds):
        # a wrong answer misleads, a refusal only disappoints
        best = max(range(len(points)), key=lambda p: (_objective(items, ok_by_point[p], train), p))
        chosen.append({"fold": f, "questions": len(test), **points[best]})
        for n in test:
            held_ok[n] = ok_by_point[best][n]
    all_in = max(
        range(len(points)),
        key=lambda p: (_objective(items, ok_by_point[p], list(range(len(items)))), p),
    )
    return {
        "folds": folds,
        "grid": {k: list(v) for k, v in GRID.items()},
        "chosen_per_fold": chosen,
        "held_out": _group(items, held_ok),
        "held_out_files": {
            src: _group(
                [i for i in items if i.source == src],
                [ok for i, ok in zip(items, held_ok, strict=True) if i.source == src],
            )
            for src in dict.fromkeys(i.source for i in items)
        },
        "best_all_in": {**points[all_in], **_group(items, ok_by_point[all_in])},
    }


def build_ask_report(
    items: list[AskItem], outcomes: list[AskOutcome], context: dict, cv: dict | None = None
) -> dict:
    name = "ask-" + "+".join(dict.fromkeys(i.source for i in items))
    report = {"dataset": name, "kind": "ask", **context, **summarize(items, outcomes)}
    if cv is not None:
        report["crossval"] = cv
    return report


def _rate(n: int, d: int) -> str:
    return f"{n}/{d} ({n / d:.0%})" if d else "-"


def ask_markdown(report: dict) -> str:
    lines = [f"## /ask on {report['dataset']}", ""]
    if report.get("command"):
        lines += [f"command: `{report['command']}`", ""]
    if report.get("settings"):
        knobs = ", ".join(f"{k}={v}" for k, v in report["settings"].items())
        lines += [f"settings: {knobs}", ""]
    lines += ["| file | answered with evidence | refused |", "| --- | --- | --- |"]
    rows = [*report["files"].items(), ("all", report["all"])]
    for name, g in rows:
        lines.append(
            f"| {name} | {_rate(g['answered_with_evidence'], g['answerable'])} | "
            f"{_rate(g['refused'], g['unanswerable'])} |"
        )
    cv = report.get("crossval")
    if cv:
        h = cv["held_out"]
        lines += [
            "",
            f"### Cross-validation ({cv['folds']} folds, stratified by answerability)",
            "",
            "held-out: answered with evidence "
            f"{_rate(h['answered_with_evidence'], h['answerable'])}, "
            f"refused {_rate(h['refused'], h['unanswerable'])}",
            "",
            *(
                f"- {name}: answered with evidence "
                f"{_rate(g['answered_with_evidence'], g['answerable'])}, "
                f"refused {_rate(g['refused'], g['unanswerable'])}"
                for name, g in cv["held_out_files"].items()
            ),
            "",
            "| fold | questions | " + " | ".join(GRID) + " |",
            "| --- | --- | " + " | ".join("---" for _ in GRID) + " |",
        ]
        for c in cv["chosen_per_fold"]:
            lines.append(
                f"| {c['fold']} | {c['questions']} | " + " | ".join(str(c[k]) for k in GRID) + " |"
            )
        b = cv["best_all_in"]
        lines += [
            "",
            "best on all questions (in-sample): "
            + ", ".join(f"{k}={b[k]}" for k in GRID)
            + f": answered with evidence {_rate(b['answered_with_evidence'], b['answerable'])}, "
            f"refused {_rate(b['refused'], b['unanswerable'])}",
        ]
    if report["failures"]:
        lines += ["", "### Failures", ""]
        for f in report["failures"]:
            got = f["answer"] or f"refused: {f['reason']}"
            lines.append(
                f"- `{f['file']}/{f['id']}` {f['question']} "
                f"(expected {f['expected']}): {_clip(got)}"
            )
    return "\n".join(lines) + "\n"


def _clip(text: str, n: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1] + "\u2026"


def write_ask_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    return write_files(report, out_dir, ask_markdown(report))


def check_ask(report: dict, thresholds: dict) -> list[str]:
    """One message per figure below its floor in the ``[ask.<file>]`` sections."""
    return check_files(report, thresholds, "ask", "/ask")
