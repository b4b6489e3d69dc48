"""The import direction DESIGN.md fixes: index/ never imports bot/, FastAPI or Slack."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
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


def test_the_default_install_runs_without_the_llm_extra() -> None:
    """Without langchain (no `[llm]` extra) the CLI, API, service and Slack app import; the LLM mode says what to install."""
    code = (
        "import sys\n"
        "sys.modules['langchain_core'] = sys.modules['langchain_openai'] = None  # as if not installed\n"
        "import bot.api.app, bot.cli, bot.service, bot.slack.app\n"
        "try:\n    import bot.llm\nexcept ImportError as exc:\n    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "pip install 'briefbot[llm]'" in run.stdout


def _requirement_names(specs: list[str]) -> set[str]:
    return {_canonical(re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0]) for spec in specs}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_runtime_imports_are_declared() -> None:
    """Every package bot/ and index/ import (lazily too) is a declared dependency, not a transitive
    one; bot/llm may use the `[llm]` extra as well."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _requirement_names(project["dependencies"])
    llm = core | _requirement_names(project["optional-dependencies"]["llm"])
    distributions = packages_distributions()
    undeclared = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "index").rglob("*.py")]):
        declared = llm if path.relative_to(ROOT).parts[:2] == ("bot", "llm") else core
        for module in sorted(_imports(path) - set(sys.stdlib_module_names) - {"bot", "index", "prompts"}):
            owners = {_canonical(d) for d in distributions.get(module, [module])}
            if not owners & declared:
                undeclared.append(f"{path.relative_to(ROOT)} imports {module} ({', '.join(sorted(owners))})")
    assert not undeclared, "declare these in pyproject.toml:\n" + "\n".join(undeclared)
