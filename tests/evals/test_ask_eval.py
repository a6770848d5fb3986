"""``cartagena eval --ask``: both line formats, the scoring rule, and the CI floors on /ask."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.ask_eval import (
    AskFormatError,
    AskItem,
    AskOutcome,
    ask_engine,
    assign_folds,
    build_ask_report,
    check_ask,
    load_ask,
    parse_ask_line,
    success,
)
from evals.thresholds import load_thresholds
from search.engine import Searcher

REPO_ROOT = Path(__file__).resolve().parents[2]
EXTRA = REPO_ROOT / "evals" / "data" / "ask-extra.jsonl"
FRESH = REPO_ROOT / "evals" / "data" / "ask-fresh.jsonl"
THIRD = REPO_ROOT / "evals" / "data" / "ask-third.jsonl"
FOURTH = REPO_ROOT / "evals" / "data" / "ask-fourth.jsonl"
FIFTH = REPO_ROOT / "evals" / "data" / "ask-fifth.jsonl"
SIXTH = REPO_ROOT / "evals" / "data" / "ask-sixth.jsonl"
SEVENTH = REPO_ROOT / "evals" / "data" / "ask-seventh.jsonl"
EIGHTH = REPO_ROOT / "evals" / "data" / "ask-eighth.jsonl"
NINTH = REPO_ROOT / "evals" / "data" / "ask-ninth.jsonl"
TENTH = REPO_ROOT / "evals" / "data" / "ask-tenth.jsonl"
DOC = "cartagena40-multistakeholder-pledge-2025"


def test_both_shared_formats_and_the_question_format_are_read() -> None:
    gold = parse_ask_line(
        json.dumps(
            {"id": "g", "query": "q?", "relevant": [{"doc": f"{DOC}.pdf", "text": "t", "grade": 2}]}
        ),
        "dev",
        "x:1",
    )
    none = parse_ask_line('{"id": "u", "question": "q?", "evidence": null}', "u", "x:2")
    one = parse_ask_line(
        json.dumps({"id": "a", "question": "q?", "evidence": {"doc": DOC, "text": "t"}}), "a", "x:3"
    )
    assert gold.answerable and gold.spans[0].doc == DOC
    assert not none.answerable
    assert one.answerable and one.spans[0].text == "t"


@pytest.mark.parametrize(
    "line",
    ['{"id": "x", "question": "q?"}', '{"id": "x"}', "not json", '{"id": "x", "question": ""}'],
)
def test_a_bad_line_is_a_clear_error(line: str) -> None:
    with pytest.raises(AskFormatError, match="x:7"):
        parse_ask_line(line, "f", "x:7")


def test_answered_with_evidence_uses_the_span_rule_and_refusal_needs_a_null_answer() -> None:
    item = parse_ask_line(
        json.dumps(
            {"id": "a", "question": "q?", "evidence": {"doc": DOC, "text": "adopted in 1984"}}
        ),
        "f",
        "x:1",
    )
    on = AskOutcome(True, [(DOC, "The Cartagena Declaration on Refugees, adopted in 1984, ...")])
    off = AskOutcome(True, [(DOC, "Something else entirely.")])
    assert success(item, on) and not success(item, off)
    assert not success(item, AskOutcome(False, reason="no"))
    refuse = AskItem("u", "q?", (), "f")
    assert success(refuse, AskOutcome(False, reason="no")) and not success(refuse, on)


def test_folds_are_stratified_and_deterministic() -> None:
    items = load_ask([EXTRA])
    folds = assign_folds(items, 4)
    assert folds == assign_folds(list(items), 4)
    for f in range(4):
        assert any(i.answerable for i, g in zip(items, folds, strict=True) if g == f)
        assert any(not i.answerable for i, g in zip(items, folds, strict=True) if g == f)


@pytest.mark.slow
def test_ask_holds_its_floors(searcher: Searcher, shared_dir: Path) -> None:
    files = [
        shared_dir / "evals" / "cartagena-dev.jsonl",
        shared_dir / "evals" / "cartagena-dev-unanswerable.jsonl",
        EXTRA,
        FRESH,
        THIRD,
        FOURTH,
        FIFTH,
        SIXTH,
        SEVENTH,
        EIGHTH,
        NINTH,
        TENTH,
    ]
    items = load_ask(files)
    report = build_ask_report(items, ask_engine(searcher, items), {})
    floors = load_thresholds()["ask"]
    assert set(floors) <= set(report["files"]), "a floor names a file that is not scored"
    failures = check_ask(report, load_thresholds())
    assert not failures, "\n".join(failures) + json.dumps(report["failures"], indent=1)
