"""CI regression guard: the dev set, hybrid mode, against the floors in evals/thresholds.toml.

Builds the index of the shared PDFs (the session ``searcher`` fixture) and scores the gold set
exactly as ``cartagena eval`` does. SciFact is not run here: it is on demand (evals/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.gold import load_gold
from evals.report import build_report
from evals.retrievers import EngineRetriever
from evals.runner import run_gold
from evals.thresholds import check, load_thresholds
from search.engine import Searcher
from tests.utils.shared import REPO_ROOT

MAX_MEDIAN_PASSAGE_CHARS = 1000


@pytest.mark.slow
def test_dev_set_hybrid_holds_its_thresholds(searcher: Searcher, shared_dir: Path) -> None:
    gold = load_gold(shared_dir / "evals" / "cartagena-dev.jsonl")
    run = run_gold(EngineRetriever(searcher), gold, "hybrid", 10)
    report = build_report("cartagena-dev", "gold", [run], {})
    thresholds = load_thresholds()
    assert thresholds["cartagena-dev"]["engine"]["hybrid"], "no floors for the dev set"
    failures = check(report, thresholds)
    assert not failures, "\n".join(failures)
    assert report["runs"][0]["median_passage_chars"] <= MAX_MEDIAN_PASSAGE_CHARS


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "cartagena-extra",
        "cartagena-third",
        "cartagena-fourth",
        "cartagena-fifth",
        "cartagena-sixth",
        "cartagena-seventh",
        "cartagena-eighth",
        "cartagena-ninth",
    ],
)
def test_blind_english_sets_hybrid_hold_their_thresholds(searcher: Searcher, name: str) -> None:
    """Our English sets written without looking at the system: the figure the dev set cannot
    show (evals/REPORT.md, "Generalisation")."""
    gold = load_gold(REPO_ROOT / "evals" / "data" / f"{name}.jsonl")
    run = run_gold(EngineRetriever(searcher), gold, "hybrid", 10)
    report = build_report(name, "gold", [run], {})
    thresholds = load_thresholds()
    assert thresholds[name]["engine"]["hybrid"], "no floors for the blind set"
    failures = check(report, thresholds)
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_crosslingual_dev_set_hybrid_holds_its_thresholds(
    searcher: Searcher, shared_dir: Path
) -> None:
    """Spanish and Portuguese queries over the English documents, default configuration."""
    gold = load_gold(shared_dir / "evals" / "cartagena-dev-crosslingual.jsonl")
    run = run_gold(EngineRetriever(searcher), gold, "hybrid", 10)
    report = build_report("cartagena-dev-crosslingual", "gold", [run], {})
    thresholds = load_thresholds()
    assert thresholds["cartagena-dev-crosslingual"]["engine"]["hybrid"], "no floors"
    assert report["runs"][0]["crosslingual"]["queries"] == len(gold)
    failures = check(report, thresholds)
    assert not failures, "\n".join(failures)


def test_thresholds_file_names_known_metrics() -> None:
    from evals.metrics import METRICS

    for name, dataset in load_thresholds().items():
        if name in ("ask", "similar"):
            continue  # their own floors, checked by evals/ask_eval.py and evals/similar_eval.py
        for modes in dataset.values():
            for floors in modes.values():
                assert set(floors) <= set(METRICS) | {"recall100"}
