"""Dates and years people type for records (a session held, a visit made, a budget's year): checked the
same way, in the same words, by every service that records one."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError


def clean_date(value, *, field: str, kept: date | None = None) -> date:
    """A date that has happened, from 1 January of last year on: last year's sessions may still be logged
    until this year ends; older is almost always a mistyped year (2016 for 2026), and would change
    figures already reported. ``kept``: the record's own date, which an edit may leave as it is."""
    if not isinstance(value, date):
        raise DomainError(_("请填写日期。"), field=field)
    today = timezone.localdate()
    if value > today:
        raise DomainError(_("日期不能晚于今天（%(today)s），不能登记尚未发生的活动。") % {"today": f"{today:%Y-%m-%d}"},
                          field=field)
    earliest = date(today.year - 1, 1, 1)
    if value < earliest and value != kept:
        raise DomainError(_("日期“%(d)s”早于 %(e)s：只能登记去年以来的活动，请检查年份。") % {
            "d": f"{value:%Y-%m-%d}", "e": f"{earliest:%Y-%m-%d}"}, field=field)
    return value


def clean_year(value: int, *, label: str, field: str = "year") -> int:
    """A plan's, budget's or survey's year: last year, this year or next (anything else is a typo)."""
    this = timezone.localdate().year
    if not this - 1 <= value <= this + 1:
        raise DomainError(_("%(label)s只能是 %(a)s—%(b)s 年。") % {"label": label, "a": this - 1, "b": this + 1},
                          field=field)
    return value
