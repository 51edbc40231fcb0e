from datetime import date
from decimal import Decimal

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (for pagination and sort links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def duration(seconds) -> str:
    """A lesson's length as people say it: "45 秒" under a minute (a whole number of minutes read "0 分钟"),
    else whole minutes, rounded."""
    from django.utils.translation import gettext

    seconds = int(seconds or 0)
    if seconds < 60:
        return gettext("%(n)d 秒") % {"n": seconds}
    return gettext("%(n)d 分钟") % {"n": round(seconds / 60)}


@register.filter
def hours(value) -> str:
    """学时 as written: one decimal at least (1.0, 0.5), two when there are (a micro-course's 0.25)."""
    if value in (None, ""):
        return ""
    value = Decimal(str(value))
    return f"{value:.2f}" if value != value.quantize(Decimal("0.1")) else f"{value:.1f}"


# characters from which a cell of free text gets room (an excerpt 14em, a title 8em) rather than a column
# one word wide
LONG_TEXT, MID_TEXT = 24, 8


@register.filter
def cell_class(value) -> str:
    """The CSS class of a generic table cell by its value: dates and figures keep one line (a phone
    would break 2026-03-01 after the month); long text keeps a readable width; short text wraps."""
    if isinstance(value, date | int | float | Decimal):
        return "text-nowrap"
    if not isinstance(value, str):
        return ""
    return "jp-col-long" if len(value) >= LONG_TEXT else "jp-col-mid" if len(value) >= MID_TEXT else ""


@register.filter
def yuan(value) -> str:
    """Money as an official reads it: thousands separated, to the fen (12,000.00)."""
    if value in (None, ""):
        return ""
    from jingpei.core.money import yuan_text

    return yuan_text(value)
