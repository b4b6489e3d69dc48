"""Names that arrive from feeds, normalised so one outlet is one string however it was typed."""

from __future__ import annotations

import unicodedata


def normalize_outlet(name: str | None) -> str | None:
    """NFKC; format characters (zero-width space and joiners, BOM, bidi marks) dropped; controls and
    runs of whitespace made one space. None when nothing is left.

    "Reu\\u200bters" and "Ｒｅｕｔｅｒｓ" both become "Reuters", so an outlet filter matches them.
    """
    if name is None:
        return None
    text = unicodedata.normalize("NFKC", name)
    text = "".join(
        "" if unicodedata.category(ch) == "Cf" else " " if unicodedata.category(ch) == "Cc" else ch for ch in text
    )
    return " ".join(text.split()) or None
