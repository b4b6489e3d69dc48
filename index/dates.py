"""`published_at` normalised to ISO 8601 at ingest, so dates compare and sort as strings.

"May 12, 2025" → "2025-05-12"; "2025-05-12T10:00:00Z" keeps its time ("2025-05-12T10:00:00+00:00");
"12/05/2025" is refused: day-first and month-first readings differ, and guessing would file the
article under the wrong month. Parsing is python-dateutil's.
"""

from __future__ import annotations

import re
from datetime import datetime

from dateutil import parser as dateutil_parser

from .errors import ParseError

# two numbers of at most 2 digits before a 4-digit year (or after it), separated by / . or -
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\s*$")
# two parses with different defaults: whatever differs was not in the text
_DEFAULTS = (datetime(2000, 1, 1, 0, 0), datetime(2001, 2, 2, 1, 1))


def normalize_published_at(value: str | None, where: str = "published_at") -> str | None:
    """ISO 8601 for a date ("2025-05-12") or a date and time ("2025-05-12T10:00:00+00:00").

    Raises `ParseError` naming `where` and the value when it is not a date, lacks a day, or is a
    numeric date that reads differently day-first and month-first.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    numeric = _NUMERIC.match(text)
    if numeric:
        first, second = int(numeric.group(1)), int(numeric.group(2))
        if first != second and first <= 12 and second <= 12:
            raise ParseError(
                f"{where}: ambiguous date {text!r}: it reads as {_long(first, second, numeric.group(3))} (day first) "
                f"or {_long(second, first, numeric.group(3))} (month first); write it as YYYY-MM-DD"
            )
    try:
        parsed = [dateutil_parser.parse(text, default=d) for d in _DEFAULTS]
    except (ValueError, OverflowError):
        raise ParseError(f"{where}: {text!r} is not a date (use ISO 8601, e.g. 2025-05-12)") from None
    a, b = parsed
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        raise ParseError(f"{where}: {text!r} is not a full date (year, month and day are needed)")
    if (a.hour, a.minute) != (b.hour, b.minute):  # no time of day given
        return a.date().isoformat()
    return a.isoformat()


def _long(day: int, month: int, year: str) -> str:
    try:
        return datetime(int(year) if len(year) == 4 else 2000 + int(year), month, day).strftime("%-d %B %Y")
    except ValueError:
        return f"day {day} of month {month}"
