"""Regression thresholds kept in the repository (``evals/thresholds.toml``).

[<dataset>.<system>.<mode>]      e.g. [cartagena-dev.engine.hybrid]
mrr10 = 0.93                     a floor on the English-query mean (BEIR: the plain mean)
"""

from __future__ import annotations

import tomllib
from pathlib import Path

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.toml")


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, dict[str, dict[str, dict]]]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def check_files(report: dict, thresholds: dict, section: str, label: str) -> list[str]:
    """One message per figure below its floor in the ``[<section>.<file>]`` sections of a
    per-file report (``--ask``, ``--similar``); files not evaluated in this run are skipped."""
    failures = []
    for name, floors in thresholds.get(section, {}).items():
        group = report["files"].get(name)
        if group is None:
            continue
        for metric, floor in floors.items():
            value = group.get(metric)
            if value is not None and value < floor:
                failures.append(
                    f"{label} on {name}: {metric} = {value:.4f} is below the floor {floor} "
                    "kept in thresholds.toml"
                )
    return failures


def check(report: dict, thresholds: dict) -> list[str]:
    """One message per metric below its floor; runs without a floor are not checked."""
    floors = thresholds.get(report["dataset"], {})
    failures = []
    for run in report["runs"]:
        wanted = floors.get(run["system"], {}).get(run["mode"], {})
        # a gold set's floors hold over its English queries; a *-crosslingual set's over its
        # Spanish and Portuguese ones (English text): the per-language figures run_gold keeps
        group = "crosslingual" if report["dataset"].endswith("-crosslingual") else "english"
        figures = run[group] if report["kind"] == "gold" else run
        for metric, floor in wanted.items():
            value = figures[metric]
            if value < floor:
                failures.append(
                    f"{report['dataset']} {run['system']}/{run['mode']} {metric} = {value:.4f} "
                    f"is below the floor {floor} kept in {THRESHOLDS_PATH.name}"
                )
    return failures
