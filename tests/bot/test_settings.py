"""Settings refuse weak admin tokens in production (the Dockerfile and compose set it; the default is
development, so a laptop and the contract checker can use a short token)."""

from __future__ import annotations

import pytest

from bot.config import MIN_ADMIN_TOKEN_CHARS, Settings


@pytest.mark.parametrize("token", ["a", "1234", "password", "x" * (MIN_ADMIN_TOKEN_CHARS - 1)])
def test_short_admin_tokens_are_refused(token: str) -> None:
    with pytest.raises(ValueError, match=r"BRIEFBOT_ADMIN_TOKEN is too short \(\d+ characters\): use at least 16"):
        Settings(admin_token=token, environment="production")


def test_short_admin_tokens_are_refused_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_ADMIN_TOKEN", "password")
    monkeypatch.setenv("BRIEFBOT_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="BRIEFBOT_ENVIRONMENT=development"):
        Settings()


def test_development_accepts_a_short_token_but_never_a_placeholder() -> None:
    assert Settings(admin_token="1234", environment="development").admin_token is not None
    with pytest.raises(ValueError, match="placeholder"):
        Settings(admin_token="change-me", environment="development")


def test_a_long_token_and_no_token_are_fine() -> None:
    assert Settings(admin_token="x" * MIN_ADMIN_TOKEN_CHARS, environment="production").admin_token is not None
    assert Settings().admin_token is None and Settings().environment == "development"
