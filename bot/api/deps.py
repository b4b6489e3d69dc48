"""`Annotated` dependencies: the bot built in the lifespan, the settings, the admin check."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader, HTTPBearer

from ..config import Settings
from ..service import Briefbot


def get_bot(request: Request) -> Briefbot:
    return request.app.state.bot  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


BotDep = Annotated[Briefbot, Depends(get_bot)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# Security schemes, so the OpenAPI schema says what to send and generated clients send it. The checks
# themselves are `require_admin` below and the API-key middleware (`AccessControl`).
admin_token_scheme = HTTPBearer(
    scheme_name="AdminToken", auto_error=False,
    description="Article writes: `Authorization: Bearer $BRIEFBOT_ADMIN_TOKEN` (writes are refused when no token is set).",
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKey", auto_error=False,
    description="The read API, when the server sets BRIEFBOT_API_KEYS (`Authorization: Bearer KEY` works too).",
)
ApiKeyDoc = Security(api_key_scheme)


def require_admin(request: Request, settings: SettingsDep, _: Annotated[object, Security(admin_token_scheme)] = None) -> None:
    """Writes need `Authorization: Bearer $BRIEFBOT_ADMIN_TOKEN`; with no token set, writes are refused."""
    if settings.admin_token is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "article writes are disabled: set BRIEFBOT_ADMIN_TOKEN on the server")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing admin token: send 'Authorization: Bearer <BRIEFBOT_ADMIN_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(token.strip().encode(), settings.admin_token.get_secret_value().encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid admin token", headers={"WWW-Authenticate": "Bearer"})


AdminDep = Annotated[None, Depends(require_admin)]
