"""The serving side of Briefbot: the `Briefbot` library API and its clients (HTTP, CLI, Slack)."""

from .config import Settings
from .models import Answer, Citation
from .service import Briefbot, Filters

__all__ = ["Answer", "Briefbot", "Citation", "Filters", "Settings"]
