"""Answers as Slack messages: Block Kit blocks plus a plain `text` fallback, with untrusted text escaped.

Everything that comes from an article (answer text, quotes, titles, outlet names) goes through
`escape_mrkdwn`, so an article cannot ping `@channel`, mention a user or smuggle in a disguised link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from ..briefing import Briefing, BriefItem
from ..models import Answer, Citation
from ..rendering import as_of_line, report_dates_line

FEEDBACK_UP = "briefbot_feedback_up"
FEEDBACK_DOWN = "briefbot_feedback_down"
FEEDBACK_BLOCK = "briefbot_feedback"
FEEDBACK_ACTION = re.compile(rf"^({FEEDBACK_UP}|{FEEDBACK_DOWN})$")
SHARE_ACTION = "briefbot_share"

QUOTE_CHARS = 200
MAX_CITATIONS = 10  # context blocks per message; Slack allows 50 blocks in all
SECTION_CHARS = 3000  # Slack's limit for a section's text
FALLBACK_CHARS = 3000

_ZWJ = "\u200d"
# Slack turns a bare @channel / @here / @everyone into a broadcast in some contexts; a zero-width
# joiner after the @ keeps the text readable and inert.
_BROADCAST = re.compile(r"@(channel|here|everyone|group)\b", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SlackMessage:
    """What a Slack surface posts: `text` is the notification/fallback, `blocks` the Block Kit body."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` as Slack documents and defuse broadcast mentions (`@here` and friends)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + _ZWJ + m.group(1), escaped)


def unescape_slack(text: str) -> str:
    """Slack sends `&`, `<`, `>` typed by a user as entities; turn them back into characters."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def shorten(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary so the result (with `…`) fits in `limit` chars."""
    text = _WHITESPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def slack_link(url: str | None, label: str) -> str:
    """`<url|label>` for an http(s) URL (label escaped, URL made inert), else just the escaped label."""
    safe = _safe_url(url)
    if safe is None:
        return escape_mrkdwn(label)
    # `|` ends the URL part of a link, so the label may not start a second one; escaping `>` is enough
    return f"<{safe}|{escape_mrkdwn(label)}>"


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # percent-encode whatever could end the link early or break out of it (`|`, `>`, `<`, spaces)
    encoded = quote(url, safe="/:?#[]@!$'()*+,;=%&~-._")
    return encoded.replace("&", "&amp;")


def answer_message(answer: Answer, turn: int | None, shareable: bool = False, shared_by: str | None = None) -> SlackMessage:
    """An answer as Block Kit: the text, one context block per citation, how current it is, then
    👍/👎 buttons (and "Share in channel" when `shareable`: an ephemeral answer). `shared_by` is the
    Slack user id of whoever shared it into the channel."""
    body = shorten(answer.answer, SECTION_CHARS - 100)
    blocks: list[dict[str, Any]] = []
    if shared_by:
        blocks.append({"type": "context", "elements": [_mrkdwn(f":mega: Shared by <@{shared_by}>")]})
    if answer.grounded:
        blocks.append(_section(escape_mrkdwn(body)))
        for citation in answer.citations[:MAX_CITATIONS]:
            blocks.append({"type": "context", "elements": [_mrkdwn(citation_line(citation))]})
        if len(answer.citations) > MAX_CITATIONS:
            more = len(answer.citations) - MAX_CITATIONS
            blocks.append({"type": "context", "elements": [_mrkdwn(f"…and {more} more source(s)")]})
        dating = [escape_mrkdwn(line) for line in (as_of_line(answer), report_dates_line(answer)) if line]
        blocks.append({"type": "context", "elements": [_mrkdwn(":calendar: " + "\n".join(dating))]})
        fallback = escape_mrkdwn(shorten(answer.answer, FALLBACK_CHARS))
    else:
        blocks.append(_section(f":grey_question: _{escape_mrkdwn(body)}_"))
        blocks.append({"type": "context", "elements": [_mrkdwn(
            "Not in the indexed articles — Briefbot only answers from them, so it doesn't guess."
        )]})
        fallback = "Not in the articles: " + escape_mrkdwn(shorten(answer.answer, FALLBACK_CHARS))
    if answer.conversation_id and turn is not None:
        blocks.append(feedback_buttons(answer.conversation_id, turn, shareable))
    return SlackMessage(text=fallback, blocks=blocks)


def briefing_message(briefing: Briefing) -> SlackMessage:
    """The briefing as Block Kit: one section per part (each ≤ 3000 chars), then the sources."""
    def lines(items: list[BriefItem], prefix: str = "") -> str:
        return "\n".join(f"• {prefix}{escape_mrkdwn(shorten(i.text, 600))}" for i in items)

    parts: list[str] = []
    if briefing.positions:
        parts.append("*Positions*\n" + "\n".join(
            f"_{escape_mrkdwn(a.actor)}_\n{lines(a.items)}" for a in briefing.positions))
    if briefing.next_steps:
        parts.append("*Next steps / what to watch*\n" + lines(briefing.next_steps))
    if briefing.gains_losses:
        parts.append("*Who gains, who loses* (the articles' analysis)\n" + "\n".join(
            f"• {escape_mrkdwn(i.actor or '')} {i.effect or ''}: {escape_mrkdwn(shorten(i.text, 600))}"
            for i in briefing.gains_losses))
    if briefing.by_outlet:
        parts.append("*Who reported what*\n" + "\n".join(
            f"_{escape_mrkdwn(o.outlet)}_\n{lines(o.items)}" for o in briefing.by_outlet))
    if briefing.differences:
        parts.append("*Where outlets differ*\n" + "\n".join(
            f"_{escape_mrkdwn(d.point)}_\n{lines(d.versions)}" for d in briefing.differences))
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": "Briefing"}}]
    blocks += [_section(shorten(part, SECTION_CHARS - 20)) for part in parts]
    room = 49 - len(blocks)
    for citation in briefing.citations[: room - 1]:
        blocks.append({"type": "context", "elements": [_mrkdwn(citation_line(citation))]})
    if len(briefing.citations) > room - 1:
        more = len(briefing.citations) - (room - 1)
        blocks.append({"type": "context", "elements": [_mrkdwn(f"…and {more} more source(s)")]})
    actors = ", ".join(a.actor for a in briefing.positions)
    return SlackMessage(text=escape_mrkdwn(shorten(f"Briefing: positions of {actors}; next steps; who reported what.", 300)),
                        blocks=blocks)


def citation_line(citation: Citation) -> str:
    """`*[1]* BBC · <url|Title> — “quote…”`, everything from the article escaped."""
    if citation.kind == "analysis":
        source = "Analysis"
    else:
        source = ", ".join(citation.outlets) or citation.publisher or "Reported"
    title = slack_link(citation.url, shorten(citation.article_title or citation.article_id, 150))
    quote_text = escape_mrkdwn(shorten(citation.quote, QUOTE_CHARS))
    return f"*[{citation.n}]* {escape_mrkdwn(source)} · {title} — “{quote_text}”"


def feedback_buttons(conversation_id: str, turn: int, shareable: bool = False) -> dict[str, Any]:
    """An actions block whose button values carry `conversation_id:turn` back to the bot."""
    value = feedback_value(conversation_id, turn)
    elements: list[dict[str, Any]] = [
        {"type": "button", "action_id": FEEDBACK_UP, "value": value,
         "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True}},
        {"type": "button", "action_id": FEEDBACK_DOWN, "value": value,
         "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True}},
    ]
    if shareable:
        elements.append({"type": "button", "action_id": SHARE_ACTION, "value": value, "style": "primary",
                         "text": {"type": "plain_text", "text": "Share in channel", "emoji": True}})
    return {"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": elements}


def feedback_value(conversation_id: str, turn: int) -> str:
    return f"{conversation_id}:{turn}"


def parse_feedback_value(value: str) -> tuple[str, int]:
    """Inverse of `feedback_value`; raises `ValueError` naming the value when it is not one."""
    conversation_id, sep, turn = (value or "").rpartition(":")
    if not sep or not conversation_id or not turn.isdigit():
        raise ValueError(f"not a feedback value: {value!r}")
    return conversation_id, int(turn)


def notice(text: str) -> SlackMessage:
    """A short message of our own (already-safe mrkdwn)."""
    return SlackMessage(text=text, blocks=[_section(text)])


def usage_message() -> SlackMessage:
    """Help: what `/brief` and mentions do (shown for an empty mention, or `/brief` with nothing indexed)."""
    text = (
        "*Briefbot* answers from the indexed news articles and names the outlet behind each fact.\n"
        "• `/brief What does Zelenskyy want?` — ask a question\n"
        "• mention me in a channel, or DM me — I answer in the thread; reply in the thread to follow up"
    )
    return notice(text)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: Slack does not auto-link or auto-parse mentions/channel names in this text
    return {"type": "mrkdwn", "text": text, "verbatim": True}
