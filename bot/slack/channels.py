"""Per-channel settings for the Slack app and the `/brief config …` language that changes them.

A channel's settings say when Briefbot answers there (only when mentioned, or every question in
a designated channel), which articles it answers from (outlets, article ids) and who sees the
answer (a public reply in the thread, or an ephemeral one with a "Share in channel" button).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

ANSWER_MODES = ("mentions", "questions")
REPLY_MODES = ("thread", "ephemeral")
_USER_ID = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^@?([UW][A-Z0-9]{2,})$")

CONFIG_HELP = (
    "`/brief config` shows this channel's settings; workspace admins (and the users they add) change them:\n"
    "• `/brief config answer mentions|questions` — answer only when mentioned, or every question asked here\n"
    "• `/brief config replies thread|ephemeral` — a public reply in the thread, or one only the asker sees\n"
    "• `/brief config outlets BBC, Reuters` (or `all`) — answer only from what these outlets reported\n"
    "• `/brief config articles ID ID…` (or `all`) — answer only from these articles\n"
    "• `/brief config admins add|remove U0123ABC` — who else may change settings here (member IDs, from a profile)\n"
    "• `/brief config reset` — back to the defaults"
)


class ConfigError(ValueError):
    """A `/brief config` request that cannot be applied; the message is shown to the user."""


@dataclass(frozen=True)
class ChannelSettings:
    """How Briefbot behaves in one channel; the defaults are the behaviour of an unconfigured channel."""

    answer: str = "mentions"  # "mentions" or "questions" (every message with a question mark)
    replies: str = "thread"  # "thread" (public) or "ephemeral" (only the asker sees it, with a Share button)
    outlets: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ChannelSettings:
        """Tolerant of settings written by other versions: unknown keys and bad values are dropped."""
        data: dict[str, Any] = json.loads(text)
        settings = cls()
        if data.get("answer") in ANSWER_MODES:
            settings = replace(settings, answer=data["answer"])
        if data.get("replies") in REPLY_MODES:
            settings = replace(settings, replies=data["replies"])
        if isinstance(data.get("outlets"), list):
            settings = replace(settings, outlets=tuple(str(v) for v in data["outlets"]))
        if isinstance(data.get("article_ids"), list):
            settings = replace(settings, article_ids=tuple(str(v) for v in data["article_ids"]))
        return settings

    def describe(self) -> str:
        """The settings as a short mrkdwn list (values are the admin's own input, escaped by the caller)."""
        return "\n".join([
            "• answers: " + ("every question asked here" if self.answer == "questions" else "only when mentioned"),
            "• replies: " + ("ephemeral, only the asker sees them" if self.replies == "ephemeral" else "public, in the thread"),
            "• outlets: " + (", ".join(self.outlets) if self.outlets else "all"),
            "• articles: " + (", ".join(self.article_ids) if self.article_ids else "all"),
        ])


@dataclass(frozen=True)
class ConfigChange:
    """A parsed `/brief config` request: new channel settings, an admin list change, or just showing."""

    settings: ChannelSettings | None = None
    add_admins: tuple[str, ...] = ()
    remove_admins: tuple[str, ...] = ()

    @property
    def changes_anything(self) -> bool:
        return self.settings is not None or bool(self.add_admins or self.remove_admins)


def is_config_command(text: str) -> bool:
    """`/brief config …` (the first word, any case) configures; anything else is a question."""
    first = text.split(maxsplit=1)[:1]
    return bool(first) and first[0].lower() == "config"


def parse_config(text: str, current: ChannelSettings, known_articles: set[str] | None = None) -> ConfigChange:
    """Parse `config [KEY VALUE…]` against the current settings; raises `ConfigError` naming what is wrong."""
    words = text.split(maxsplit=2)[1:]
    if not words:
        return ConfigChange()
    key = words[0].lower()
    value = words[1] if len(words) > 1 else ""
    rest = " ".join(words[1:]).strip()
    if key == "reset":
        return ConfigChange(settings=ChannelSettings())
    if key in ("answer", "replies"):
        allowed = ANSWER_MODES if key == "answer" else REPLY_MODES
        if value.lower() not in allowed:
            raise ConfigError(f"`{key}` takes {' or '.join(allowed)}, not `{value or '(nothing)'}`")
        changed = replace(current, answer=value.lower()) if key == "answer" else replace(current, replies=value.lower())
        return ConfigChange(settings=changed)
    if key == "outlets":
        outlets = _list_value(rest, key, separators=",")
        return ConfigChange(settings=replace(current, outlets=outlets))
    if key == "articles":
        ids = _list_value(rest, key, separators=", ")
        unknown = sorted(set(ids) - known_articles) if known_articles is not None else []
        if unknown:
            raise ConfigError(f"no indexed article with id {', '.join(f'`{i}`' for i in unknown)}")
        return ConfigChange(settings=replace(current, article_ids=ids))
    if key == "admins":
        action, _, users = rest.partition(" ")
        ids = tuple(user_id(u) for u in users.split())
        if action.lower() not in ("add", "remove") or not ids:
            raise ConfigError("use `/brief config admins add U0123ABC` or `/brief config admins remove U0123ABC`")
        return ConfigChange(add_admins=ids) if action.lower() == "add" else ConfigChange(remove_admins=ids)
    raise ConfigError(f"unknown setting `{key}`")


def user_id(text: str) -> str:
    """A Slack user id from `<@U123|name>`, `<@U123>`, `@U123` or `U123`; `ConfigError` otherwise."""
    match = _USER_ID.match(text.strip())
    if not match:
        raise ConfigError(f"`{text}` is not a Slack member ID (U…, under a profile's ⋮ menu)")
    return match.group(1) or match.group(2)


def _list_value(text: str, key: str, separators: str) -> tuple[str, ...]:
    if not text:
        raise ConfigError(f"`{key}` takes a list, or `all`")
    if text.lower() == "all":
        return ()
    items = re.split(f"[{re.escape(separators)}]+", text)
    return tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
