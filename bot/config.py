"""Settings for every Briefbot surface: one `Settings`, read from `BRIEFBOT_*` and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_ADMIN_TOKEN_CHARS = 16  # a short token falls to guessing: writes are not rate limited per token

class Settings(BaseSettings):
    """Built by `create_app(settings=None)` and by the CLI; never a module-level instance."""

    model_config = SettingsConfigDict(env_prefix="BRIEFBOT_", env_file=".env", extra="ignore")

    # "development" relaxes the admin-token length check (and nothing else); anything public is "production"
    environment: Literal["development", "production"] = "development"  # compose and the image set production
    data_dir: Path = Path(".briefbot")
    chroma_url: str | None = None
    admin_token: SecretStr | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    aliases_file: Path | None = None
    answer_mode: Literal["extractive", "llm"] = "extractive"
    # LLM answer mode (bot/llm): any OpenAI-compatible server, or Ollama through its /v1 endpoint
    llm_provider: Literal["openai", "ollama"] = "openai"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=30.0, gt=0, le=600)
    llm_max_sources: int = Field(default=8, ge=1, le=30)
    max_question_chars: int = Field(default=1000, ge=10, le=20000)
    max_request_bytes: int = Field(default=2_000_000, ge=1024)
    max_article_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # request line + headers of one request (`serve` runs uvicorn's h11 parser with this cap; over it: 400)
    max_header_bytes: int = Field(default=32 * 1024, ge=4096, le=1024 * 1024)
    retrieval_k: int = Field(default=40, ge=1, le=200)  # candidate sentences per retriever
    log_level: str = "INFO"
    # Operations (bot/api/ops.py, bot/api/middleware.py)
    log_format: Literal["json", "text"] = "json"
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(default=0, ge=0)  # 0 = off
    rate_limit_burst: int | None = Field(default=None, ge=1)  # default: one minute's worth
    redis_url: str | None = None  # shared rate-limit counts across workers/hosts; unset = per process
    chroma_timeout_s: float = Field(default=10.0, gt=0, le=600)
    sse_ping_s: float = Field(default=15.0, ge=0, le=600)  # keep-alive comment on an idle stream; 0 = none
    # Slack app (bot/slack): both secrets set = the /slack/* routes answer; otherwise they say 404
    slack_signing_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = None
    slack_api_url: str | None = None  # Web API base, default https://slack.com/api/

    @field_validator("cors_origins", "api_keys", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("admin_token")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip() in {"", "changeme", "change-me", "secret"}:
            raise ValueError("BRIEFBOT_ADMIN_TOKEN is empty or a placeholder; set a real secret or leave it unset")
        return value

    @model_validator(mode="after")
    def _admin_token_is_strong(self) -> Settings:
        token = self.admin_token.get_secret_value().strip() if self.admin_token else None
        if token is not None and self.environment != "development" and len(token) < MIN_ADMIN_TOKEN_CHARS:
            raise ValueError(
                f"BRIEFBOT_ADMIN_TOKEN is too short ({len(token)} characters): use at least {MIN_ADMIN_TOKEN_CHARS} random "
                "characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
                "(only BRIEFBOT_ENVIRONMENT=development accepts a shorter one)"
            )
        return self

    @model_validator(mode="after")
    def _llm_mode_is_configured(self) -> Settings:
        if self.answer_mode == "llm":
            missing = [name for name, value in (("BRIEFBOT_LLM_BASE_URL", self.llm_base_url), ("BRIEFBOT_LLM_MODEL", self.llm_model)) if not value]
            if missing:
                raise ValueError(f"BRIEFBOT_ANSWER_MODE=llm needs {' and '.join(missing)} (or set BRIEFBOT_ANSWER_MODE=extractive)")
        return self

    @property
    def conversations_path(self) -> Path:
        return self.data_dir / "conversations.sqlite"
