"""The import direction DESIGN.md fixes: index/ never imports bot/, FastAPI or Slack."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_index_never_imports_the_serving_side() -> None:
    for path in (ROOT / "index").rglob("*.py"):
        assert not _imports(path) & {"bot", "fastapi", "starlette", "slack_bolt", "slack_sdk", "uvicorn"}, path


def test_only_the_api_package_imports_fastapi() -> None:
    for path in (ROOT / "bot").rglob("*.py"):
        if "api" in path.relative_to(ROOT / "bot").parts[:1]:
            continue
        assert "fastapi" not in _imports(path), path
