"""Runs -> a JSON report and a Markdown table: metrics per mode and per tag, passage length,
and, for every query that missed the top 5, what was expected and what ranked first."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from evals.metrics import METRICS, mean_scores
from evals.runner import GoldResult, Run

LABELS = {
    "ndcg10": "nDCG@10",
    "mrr10": "MRR@10",
    "success1": "S@1",
    "success5": "S@5",
    "recall10": "R@10",
}
BEIR_METRICS = ("ndcg10", "mrr10", "recall10", "recall100")
BEIR_LABELS = {"ndcg10": "nDCG@10", "mrr10": "MRR@10", "recall10": "R@10", "recall100": "R@100"}


def write_files(report: dict, out_dir: Path, markdown: str) -> tuple[Path, Path]:
    """``<dataset>.json`` and ``<dataset>.md`` of a report in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{report['dataset']}.json"
    md_path = out_dir / f"{report['dataset']}.md"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(markdown)
    return json_path, md_path


def _first(result: GoldResult) -> dict | None:
    if not result.results:
        return None
    top = result.results[0]
    return {
        "doc": top.doc,
        "passage_id": top.passage_id,
        "citation": top.citation,
        "text": top.text,
    }


def _group(results: list[GoldResult]) -> dict:
    return {"queries": len(results), **mean_scores([r.scores for r in results])}


def summarize_gold(run: Run) -> dict:
    english = [r for r in run.gold if not r.query.is_crosslingual]
    spanish = [r for r in run.gold if r.query.is_spanish]
    crosslingual = [r for r in run.gold if r.query.is_crosslingual]
    tags = sorted({t for r in run.gold for t in r.query.tags})
    return {
        "system": run.system,
        "mode": run.mode,
        "seconds": round(run.seconds, 2),
        "median_passage_chars": run.median_chars(),
        "english": _group(english),
        "es": _group(spanish),
        "crosslingual": _group(crosslingual),
        "tags": {t: _group([r for r in run.gold if t in r.query.tags]) for t in tags},
        "missed_top5": [
            {
                "id": r.query.id,
                "query": r.query.query,
                "tags": list(r.query.tags),
                "expected": [
                    {"doc": s.doc, "text": s.text, "grade": s.grade} for s in r.query.relevant
                ],
                "first": _first(r),
                "first_gain_rank": next((i + 1 for i, g in enumerate(r.gains) if g), None),
            }
            for r in run.gold
            if not r.scores.success5
        ],
        "queries": [
            {
                "id": r.query.id,
                "tags": list(r.query.tags),
                **r.scores.as_dict(),
                "gains": r.gains,
                "credited_at": r.credited_at,
            }
            for r in run.gold
        ],
    }


def summarize_beir(run: Run) -> dict:
    return {
        "system": run.system,
        "mode": run.mode,
        "seconds": round(run.seconds, 2),
        "queries": len(run.beir),
        "median_passage_chars": run.median_chars(),
        **{
            m: statistics.fmean(getattr(b, m) for b in run.beir) if run.beir else 0.0
            for m in BEIR_METRICS
        },
    }


def build_report(dataset: str, kind: str, runs: list[Run], context: dict) -> dict:
    summarize = summarize_gold if kind == "gold" else summarize_beir
    return {"dataset": dataset, "kind": kind, **context, "runs": [summarize(r) for r in runs]}


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def _metric_row(label: str, group: dict, extra: list[str]) -> list[str]:
    return [label, str(group["queries"]), *(f"{group[m]:.3f}" for m in METRICS), *extra]


def _clip(text: str, n: int = 240) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= n else flat[: n - 1] + "\u2026"


def gold_markdown(report: dict) -> list[str]:
    runs = report["runs"]
    head = ["system/mode", "queries", *(LABELS[m] for m in METRICS), "median chars"]
    lines = ["### English queries (headline)", ""]
    lines += _table(
        head,
        [
            _metric_row(
                f"{r['system']}/{r['mode']}", r["english"], [f"{r['median_passage_chars']:.0f}"]
            )
            for r in runs
        ],
    )
    for key, title in (
        ("crosslingual", "Spanish and Portuguese queries (`es`, `pt`: English evidence)"),
        ("es", "`es` queries (Spanish query, English evidence)"),
    ):
        if any(r.get(key, {}).get("queries") for r in runs):
            lines += ["", f"### {title}", ""]
            lines += _table(
                head[:-1], [_metric_row(f"{r['system']}/{r['mode']}", r[key], []) for r in runs]
            )
    lines += ["", "### Per tag", ""]
    rows = [
        _metric_row(f"{tag}: {r['system']}/{r['mode']}", group, [])
        for tag in sorted({t for r in runs for t in r["tags"]})
        for r in runs
        if (group := r["tags"].get(tag))
    ]
    lines += _table(["tag: system/mode", *head[1:-1]], rows)
    for r in runs:
        lines += [
            "",
            f"### Missed the top 5: {r['system']}/{r['mode']} ({len(r['missed_top5'])})",
            "",
        ]
        for miss in r["missed_top5"]:
            spans = "; ".join(
                f'[{s["doc"]}, g{s["grade"]}] "{_clip(s["text"], 160)}"' for s in miss["expected"]
            )
            first = miss["first"]
            top = f"[{first['doc']}] {_clip(first['text'])}" if first else "nothing"
            rank = miss["first_gain_rank"]
            lines += [
                f"- **{miss['id']}** `{miss['query']}` (first gain at rank "
                f"{rank if rank else '-'})",
                f"  - expected: {spans}",
                f"  - ranked first: {top}",
            ]
    return lines


def beir_markdown(report: dict) -> list[str]:
    head = ["system/mode", "queries", *(BEIR_LABELS[m] for m in BEIR_METRICS), "median chars"]
    rows = [
        [
            f"{r['system']}/{r['mode']}",
            str(r["queries"]),
            *(f"{r[m]:.4f}" for m in BEIR_METRICS),
            f"{r['median_passage_chars']:.0f}",
        ]
        for r in report["runs"]
    ]
    return _table(head, rows)


def to_markdown(report: dict) -> str:
    lines = [f"## {report['dataset']}", "", f"`{report.get('command', '')}`", ""]
    if report.get("settings"):
        knobs = ", ".join(f"{k}={v}" for k, v in report["settings"].items())
        lines += [f"settings: {knobs}", ""]
    lines += gold_markdown(report) if report["kind"] == "gold" else beir_markdown(report)
    return "\n".join(lines) + "\n"


def write_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report["dataset"]
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(to_markdown(report))
    return json_path, md_path


def write_dump(run: Run, path: Path) -> None:
    """JSONL, one line a query: {"id", "passages": [{"doc", "text"}]} in rank order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for query_id, results in run.rankings():
            passages = [{"doc": r.doc, "text": r.text} for r in results[: run.k]]
            fh.write(json.dumps({"id": query_id, "passages": passages}, ensure_ascii=False) + "\n")
