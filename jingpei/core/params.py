"""Values typed into query strings and small forms, read without surprises: a year out of range or not a
number is None (the caller answers with its default or a message), never a 500 from the database."""

from __future__ import annotations

YEARS = range(2000, 2101)


def year(raw) -> int | None:
    """A plausible year from ``raw`` ("2026", "２０２６", " 2026 "), else None."""
    text = str(raw or "").strip()
    if not text.isdecimal():
        return None
    value = int(text)
    return value if value in YEARS else None
