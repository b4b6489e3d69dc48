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


def test_only_the_llm_package_imports_langchain() -> None:
    """langchain is the optional [llm] extra: nothing outside bot/llm may import it at module level."""
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "index").rglob("*.py")]:
        if path.relative_to(ROOT).parts[:2] == ("bot", "llm"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {a.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for a in node.names}
        top_level |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
        assert not top_level & {"langchain_core", "langchain_openai"}, path


def test_runtime_imports_are_declared() -> None:
    import tomllib

    declared = " ".join(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]).lower()
    for package in ("numpy", "httpx", "pystemmer", "trafilatura", "python-dateutil", "dateparser", "limits", "sse-starlette"):
        assert package in declared, package
