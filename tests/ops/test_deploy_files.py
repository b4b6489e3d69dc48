"""docker-compose.yml, Dockerfile and .env.example: validated by a real Compose, healthchecks run for real."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from tests.conftest import ROOT, LiveServer

COMPOSE = shutil.which("docker-compose")
needs_compose = pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed (`apt-get install docker-compose`; `make compose-tool` does it as root)"
)


def _project(tmp_path: Path, compose_text: str | None = None) -> Path:
    """The deploy files in a scratch project dir, with .env made from .env.example as the README says."""
    (tmp_path / "docker-compose.yml").write_text(compose_text or (ROOT / "docker-compose.yml").read_text())
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def _compose(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert COMPOSE is not None
    return subprocess.run([COMPOSE, "--project-directory", str(project), "-f", str(project / "docker-compose.yml"), *args],
                          capture_output=True, text=True, timeout=120)


@needs_compose
def test_compose_file_is_valid_and_wires_api_to_chroma(tmp_path: Path) -> None:
    project = _project(tmp_path)
    check = _compose(project, "config", "-q")
    assert check.returncode == 0, check.stderr
    config = yaml.safe_load(_compose(project, "config").stdout)
    services = config["services"]
    assert set(services) == {"api", "chroma", "redis", "ollama"}
    assert services["ollama"]["profiles"] == ["llm"], "Ollama only starts with --profile llm"
    assert "profiles" not in services["api"] and "profiles" not in services["chroma"]

    api = services["api"]
    assert api["build"]["context"] and "serve" in api["command"] and "0.0.0.0" in api["command"]
    assert api["environment"]["BRIEFBOT_CHROMA_URL"] == "http://chroma:8000"
    assert int(api["environment"]["BRIEFBOT_WORKERS"]) >= 2
    assert api["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert api["environment"]["BRIEFBOT_REDIS_URL"] == "redis://redis:6379/0", "rate limits shared by the workers"
    assert api["depends_on"]["redis"]["condition"] == "service_healthy" and "profiles" not in services["redis"]
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    assert any(v.startswith("briefbot-data:/data") for v in api["volumes"])

    chroma = services["chroma"]
    import chromadb

    assert chroma["image"] == f"chromadb/chroma:{chromadb.__version__}", "the server image matches the client"
    assert "/api/v2/heartbeat" in " ".join(chroma["healthcheck"]["test"])
    assert any(v.startswith("chroma-data:/data") for v in chroma["volumes"]) and "/data" in chroma["command"]
    assert set(config["volumes"]) >= {"briefbot-data", "chroma-data"}



@needs_compose
def test_the_validator_is_real(tmp_path: Path) -> None:
    broken = (ROOT / "docker-compose.yml").read_text().replace("condition: service_healthy", "condition: when_it_feels_like_it")
    result = _compose(_project(tmp_path, broken), "config", "-q")
    assert result.returncode != 0 and "condition" in result.stderr


def test_chroma_healthcheck_asks_the_real_heartbeat(chroma_server) -> None:  # type: ignore[no-untyped-def]
    """The compose healthcheck (bash /dev/tcp: the image has no curl) run against a real `chroma run`."""
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["chroma"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "/bin/bash", "-c"]
    script = test[3].replace("/127.0.0.1/8000", f"/127.0.0.1/{chroma_server.port}")
    assert subprocess.run(["/bin/bash", "-c", script], timeout=10).returncode == 0
    wrong_path = script.replace("/api/v2/heartbeat", "/api/v2/no-such-thing")
    assert subprocess.run(["/bin/bash", "-c", wrong_path], timeout=10).returncode != 0
    chroma_server.kill()
    assert subprocess.run(["/bin/bash", "-c", script], timeout=10, capture_output=True).returncode != 0


def test_api_healthcheck_follows_readiness(seed_bot) -> None:  # type: ignore[no-untyped-def]
    from bot.api import create_app

    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["api"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    with LiveServer(create_app(bot=seed_bot)) as server:
        script = test[3].replace("http://127.0.0.1:8000", server.url)
        assert subprocess.run([sys.executable, "-c", script], timeout=10).returncode == 0
    assert subprocess.run([sys.executable, "-c", script], timeout=10, capture_output=True).returncode != 0


def test_env_example_documents_every_setting(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*(BRIEFBOT_[A-Z0-9_]+)=", text, flags=re.M))
    settings = {f"BRIEFBOT_{name.upper()}" for name in Settings.model_fields}
    assert settings - documented == set(), "add these to .env.example"
    assert documented - settings <= {"BRIEFBOT_WORKERS", "BRIEFBOT_PORT"}, "documented but not read by anything"

    env = tmp_path / ".env"
    env.write_text(text)
    with pytest.raises(ValueError, match="BRIEFBOT_ADMIN_TOKEN is empty or a placeholder"):
        Settings(_env_file=env)  # type: ignore[call-arg]
    env.write_text(text.replace("BRIEFBOT_ADMIN_TOKEN=change-me", "BRIEFBOT_ADMIN_TOKEN=a-real-secret-4f9c"))
    settings_from_example = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings_from_example.admin_token is not None and settings_from_example.api_keys == []


def test_dockerfile_builds_a_cpu_non_root_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, flags=re.M)
    torch = dockerfile.index("torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu")
    assert torch < dockerfile.index('pip install ".[llm]"'), "torch (CPU) is installed before the project (with the LLM mode)"
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in dockerfile and "/readyz" in dockerfile
    assert re.search(r'^CMD \["briefbot", "serve", "--host", "0.0.0.0"', dockerfile, flags=re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", ".briefbot"} <= set(ignored)
