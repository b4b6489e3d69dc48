"""Briefbot in Slack: `/brief`, mentions and DMs answered in threads, Block Kit with citations."""

from .app import SlackBridge, missing_slack_settings

__all__ = ["SlackBridge", "missing_slack_settings"]
