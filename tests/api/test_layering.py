"""The API's routes are thin: they call the use cases (service/queries.py, service/admin.py),
never each other, and never read the index store's internals. Read from the code."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.utils.shared import REPO_ROOT

ROUTES = sorted((REPO_ROOT / "api" / "routes").glob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_routes_never_import_each_other() -> None:
    assert len(ROUTES) > 5
    for path in ROUTES:
        others = {m for m in imported_modules(path) if m.startswith("api.routes")}
        assert not others, f"{path.name} imports {others}"


def test_no_route_reads_the_store_itself() -> None:
    for path in [*ROUTES, REPO_ROOT / "api" / "app.py"]:
        text = path.read_text()
        assert ".store." not in text and ".store.rows" not in text, path.name
