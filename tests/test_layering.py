"""The import graph, read from the code: data flows corpus -> ingest -> index -> search ->
service -> api/web/cli, with text/ and embedding/ as services beside it (docs/architecture.md).
A module that imports against the flow fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.utils.shared import REPO_ROOT

# package -> the project packages it may import (besides itself). Every package may import
# cartagena (settings, errors, logging) and corpus (the catalog: document kinds and languages).
BASE = {"cartagena", "corpus"}
ALLOWED: dict[str, set[str]] = {
    "cartagena": {"api", "evals", "search", "service", "index"},  # the CLI: the composition root
    "corpus": BASE,
    "text": BASE,
    "embedding": BASE,
    "index": BASE | {"text"},
    "ingest": BASE | {"text", "embedding", "index"},
    "search": BASE | {"text", "embedding", "index"},
    "service": BASE | {"text", "embedding", "index", "ingest", "search"},
    "api": BASE | {"index", "search", "service", "web"},
    "web": BASE | {"index", "search", "service"},
    "evals": BASE | {"text", "embedding", "index", "search", "service"},
}
PROJECT = set(ALLOWED) | {"benchmarks", "tests"}


def imports_of(path: Path) -> set[str]:
    """Top-level project packages imported anywhere in the module (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & PROJECT


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_follow_the_data_flow(package: str) -> None:
    modules = sorted((REPO_ROOT / package).rglob("*.py"))
    assert modules, package
    wrong = {
        f"{path.relative_to(REPO_ROOT)} imports {other}"
        for path in modules
        for other in imports_of(path) - ALLOWED[package] - {package}
    }
    assert not wrong, sorted(wrong)


def test_only_the_service_layer_and_the_cli_reach_ingest() -> None:
    reaching = {p for p, allowed in ALLOWED.items() if "ingest" in allowed}
    assert reaching == {"service"}


def test_no_sql_and_no_bm25_internals_outside_index() -> None:
    """The index format has one owner: nothing else opens its SQLite files or reads the BM25
    model it wrote."""
    offenders = []
    for package in sorted(ALLOWED.keys() - {"index"}):
        for path in (REPO_ROOT / package).rglob("*.py"):
            text = path.read_text()
            if "sqlite3" in text or ".vocab_dict" in text and "BM25(" not in text:
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert not offenders
