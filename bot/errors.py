"""Errors of the serving side. Translated once per edge: HTTP handlers, CLI, Slack."""


class BotError(Exception):
    """Base class for errors the bot raises on purpose."""


class BadRequest(BotError):
    """The client sent something unusable; the message says what to change."""


class ConversationNotFound(BotError):
    """No conversation with that id."""


class NotReady(BotError):
    """The model or the index is not loaded yet (or the store is down)."""
