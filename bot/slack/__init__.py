"""Briefbot in Slack: `/brief`, mentions and DMs answered in threads, Block Kit with citations."""

from .app import RefusedSlackRequest, SlackBridge, missing_slack_settings

__all__ = ["RefusedSlackRequest", "SlackBridge", "missing_slack_settings"]
