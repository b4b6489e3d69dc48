"""Article ids: a readable, URL-safe slug of the id a record gives (or of its file name or title).

Letters, marks and digits of every script are kept (`новость-1`, `新闻`, `خبر`), NFKC-normalised
and casefolded, so `ＡＢＣ`, `ABC` and `abc` are one id. Everything else becomes `-`. When that
changes more than case and width — a space, a `.`, an emoji, an id cut at `MAX_SLUG` characters —
a short hash of the id is appended, so `my story`, `my-story` and `🔥` stay three articles. Two
different ids can still meet on one slug (`my story` and the literal `my-story-<its hash>`): ingest
refuses the second instead of replacing the first (`same_id`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SLUG = 120
HASH_CHARS = 8
FALLBACK = "article"  # the readable part of an id that keeps no letter or digit (`🔥`)
_DASHES = re.compile(r"-{2,}")


def id_key(raw: str) -> str:
    """What makes two raw ids the same id: NFKC, casefolded (NFKC again: casefold can undo it), trimmed."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold()).strip()


def slugify(raw: str) -> str:
    """The article id for `raw`: its letters and digits joined by `-`, plus a hash when that lost anything."""
    key = id_key(raw)
    body = _DASHES.sub("-", "".join(ch if _kept(ch) else "-" for ch in key)).strip("-")
    if body == key and len(body) <= MAX_SLUG:
        return body
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:HASH_CHARS]
    body = body[: MAX_SLUG - HASH_CHARS - 1].rstrip("-") or FALLBACK
    return f"{body}-{digest}"


def same_id(raw: str | None, other: str | None) -> bool:
    """True when two raw ids name the same article; an unknown one (stored before raw ids were) matches any."""
    return raw is None or other is None or id_key(raw) == id_key(other)


def _kept(ch: str) -> bool:
    return ch in "-_" or unicodedata.category(ch)[0] in "LMN"
