"""Values typed into query strings and small forms, read without surprises: a year out of range or not a
number is None (the caller answers with its default or a message), never a 500 from the database."""

from __future__ import annotations

from django.utils import timezone

YEARS = range(2000, 2101)
# The largest value a 32-bit database integer holds (ids, counts): larger is "not a valid value", never an
# overflow in the database driver.
MAX_INTEGER = 2_147_483_647


def year(raw) -> int | None:
    """A plausible year from ``raw`` ("2026", "２０２６", " 2026 "), else None."""
    text = str(raw or "").strip()
    if not text.isdecimal():
        return None
    value = int(text)
    return value if value in YEARS else None


def number(raw) -> int | None:
    """A whole number 0…MAX_INTEGER from ``raw`` (an id or a count typed into a query string), else None.
    ``isdecimal``, not ``isdigit``: "²" is a digit that ``int`` refuses."""
    text = str(raw or "").strip()
    if not text.isdecimal() or len(text) > 10:
        return None
    value = int(text)
    return value if value <= MAX_INTEGER else None


def numbers(values) -> list[int]:
    """The whole numbers among ``values`` (a form's list of ids), the rest left out."""
    return [n for n in map(number, values) if n is not None]


def year_asked(request) -> int:
    """The ``?year=`` of a page that lists a year's records (this year for none or a malformed one)."""
    return year(request.GET.get("year")) or timezone.localdate().year


def recent_years() -> list[int]:
    """The years such a page offers: next year (plans and budgets are drawn up ahead), this year, four before."""
    this = timezone.localdate().year
    return list(range(this + 1, this - 5, -1))
