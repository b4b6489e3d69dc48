"""The HTTP surface (FastAPI). Only this package imports FastAPI."""

from .app import create_app

__all__ = ["create_app"]
