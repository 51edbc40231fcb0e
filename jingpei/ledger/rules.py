"""Requirement rules as data, evaluated: periods, who a rule applies to, the prorated requirement and
the compliance status. Pure functions over plain facts, so the hand-checked examples in
``tests/ledger/test_rules.py`` exercise them without a database round trip per case."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from jingpei.ledger.models import PeriodKind, RequirementRule

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def months(self) -> list[date]:
        out, day = [], self.start
        while day <= self.end:
            out.append(day)
            day = add_months(day, 1)
        return out

    @property
    def label(self) -> str:
        """The period as people say it, in the page's language: 2026年3月, 2026年, 2023–2027年."""
        from django.utils.translation import gettext

        def month(day: date) -> str:
            return gettext("%(year)d年%(month)d月") % {"year": day.year, "month": day.month}

        if self.start.year == self.end.year and self.start.month == self.end.month:
            return month(self.start)
        if self.start.month == 1 and self.end.month == 12:
            if self.start.year == self.end.year:
                return gettext("%(year)d年") % {"year": self.start.year}
            return gettext("%(start)d–%(end)d年") % {"start": self.start.year, "end": self.end.year}
        return f"{month(self.start)}–{month(self.end)}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_for(rule: RequirementRule, day: date) -> Period:
    kind = rule.period_kind
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        return Period(start, month_end(start))
    if kind == PeriodKind.QUARTER:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(start, month_end(add_months(start, 2)))
    if kind == PeriodKind.YEAR:
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    years = max(1, rule.period_years)
    first = rule.cycle_start_year + (day.year - rule.cycle_start_year) // years * years
    return Period(date(first, 1, 1), date(first + years - 1, 12, 31))


def previous_period(rule: RequirementRule, period: Period) -> Period:
    return period_for(rule, add_months(period.start, -1))


class Status:
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    WILL_MISS = "will_miss"
    MISSED = "missed"
    EXEMPT = "exempt"
    NOT_STARTED = "not_started"


STATUS_LABELS = {
    Status.MET: _("已达标"),
    Status.ON_TRACK: _("进度正常"),
    Status.BEHIND: _("进度落后"),
    Status.WILL_MISS: _("按当前进度将无法达标"),
    Status.MISSED: _("未达标"),
    Status.EXEMPT: _("免于考核"),
    Status.NOT_STARTED: _("尚未开始"),
}
STATUS_COLORS = {
    Status.MET: "success", Status.ON_TRACK: "primary", Status.BEHIND: "warning", Status.WILL_MISS: "danger",
    Status.MISSED: "danger", Status.EXEMPT: "secondary", Status.NOT_STARTED: "secondary",
}


@dataclass
class PersonFacts:
    """What a rule needs to know about a person."""

    person_id: int
    joined_on: date | None = None
    rank_level: str = ""
    org_path: str = ""
    category_years: dict[int, set[int]] = field(default_factory=dict)  # category id -> years held
    exemptions: list[tuple[date, date, int | None]] = field(default_factory=list)  # (start, end, rule id)
    rank_history: list[tuple[str, date]] = field(default_factory=list)  # (rank, since), oldest first


def entered_ranks(facts: PersonFacts, ranks) -> date | None:
    """When the person entered ``ranks`` (a rule's rank levels) and has held one of them since: the start
    of the last unbroken run of those ranks in the history, which must end with the current rank. None when
    unknown (no dated record of the current rank)."""
    history = facts.rank_history
    if not history or history[-1][0] != facts.rank_level or facts.rank_level not in ranks:
        return None
    entered = None
    for rank, since in reversed(history):
        if rank not in ranks:
            break
        entered = since
    return entered


def applies(rule: RequirementRule, facts: PersonFacts, period: Period, *, category_ids: set[int],
            org_path: str | None) -> bool:
    """Whether ``rule`` covers the person in ``period`` (categories are held year by year; for a
    multi-year rule any year of the cycle up to now counts)."""
    if rule.valid_from and rule.valid_from > period.end:
        return False
    if rule.valid_to and rule.valid_to < period.start:
        return False
    if org_path and not facts.org_path.startswith(org_path):
        return False
    if rule.rank_levels and facts.rank_level not in rule.rank_levels:
        return False
    if category_ids:
        years = set(range(period.start.year, period.end.year + 1))
        if not any(years & facts.category_years.get(c, set()) for c in category_ids):
            return False
    return True


def _exempt_month(month: date, start: date, end: date) -> bool:
    """A month is exempt when the exemption covers at least half of its days."""
    last = month_end(month)
    covered = (min(end, last) - max(start, month)).days + 1
    return covered * 2 >= last.day


@dataclass(frozen=True)
class Requirement:
    required: Decimal
    eligible_months: int
    total_months: int
    notes: tuple[str, ...] = ()

    @property
    def exempt(self) -> bool:
        return self.eligible_months == 0


def requirement(rule: RequirementRule, facts: PersonFacts, period: Period, *, category_ids: set[int]) -> Requirement:
    """The prorated minimum: the full minimum × eligible months / months of the period. Months drop out
    before the person joined (from the month after, when they joined after the 15th), during a grace
    period after entering the rule's category, outside the rule's validity, and when exempted."""
    months = period.months
    eligible = list(months)
    notes: list[str] = []
    if rule.valid_from:
        eligible = [m for m in eligible if month_end(m) >= rule.valid_from]
    if rule.valid_to:
        eligible = [m for m in eligible if m <= rule.valid_to]
    if rule.prorate and facts.joined_on and facts.joined_on > period.start:
        first = facts.joined_on.replace(day=1) if facts.joined_on.day <= 15 else add_months(facts.joined_on.replace(day=1), 1)
        if first > period.start:
            eligible = [m for m in eligible if m >= first]
            notes.append(str(_("%(d)s 加入，按月折算") % {"d": facts.joined_on.isoformat()}))
    if rule.grace_years and category_ids:
        held = [y for c in category_ids for y in facts.category_years.get(c, set())]
        if held:
            entered = min(held)
            if entered > period.start.year:
                grace_end = date(entered + rule.grace_years, 1, 1)
                eligible = [m for m in eligible if m >= grace_end]
                notes.append(str(_("%(y)s 年新进入类别，宽限 %(g)s 年") % {"y": entered, "g": rule.grace_years}))
    if rule.grace_years and rule.rank_levels:
        promoted = entered_ranks(facts, rule.rank_levels)
        if promoted and promoted > period.start:
            # from the month of the anniversary (the month after, when it falls after the 15th), as for joining
            first = add_months(promoted.replace(day=1), 12 * rule.grace_years + (promoted.day > 15))
            eligible = [m for m in eligible if m >= first]
            notes.append(str(_("%(d)s 新提任，宽限 %(g)s 年") % {"d": promoted.isoformat(), "g": rule.grace_years}))
    exemptions = [(s, e) for s, e, rule_id in facts.exemptions if rule_id in (None, rule.pk)]
    if exemptions:
        before = len(eligible)
        eligible = [m for m in eligible if not any(_exempt_month(m, s, e) for s, e in exemptions)]
        if len(eligible) < before:
            notes.append(str(_("豁免 %(n)s 个月") % {"n": before - len(eligible)}))
    full = rule.required_hours
    required = (full * len(eligible) / len(months)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return Requirement(required, len(eligible), len(months), tuple(notes))


def elapsed_fraction(period: Period, today: date) -> Decimal:
    if today < period.start:
        return Decimal(0)
    if today >= period.end:
        return Decimal(1)
    return Decimal((today - period.start).days + 1) / Decimal((period.end - period.start).days + 1)


def status(*, required: Decimal, earned: Decimal, period: Period, today: date, exempt: bool,
           recent_monthly: Decimal = Decimal(0)) -> str:
    """met / on track / behind (can still make it at the recent pace) / will miss (cannot, at the
    recent pace) / missed (the period is over)."""
    if exempt:
        return Status.EXEMPT
    if earned >= required:
        return Status.MET
    if today > period.end:
        return Status.MISSED
    if today < period.start:
        return Status.NOT_STARTED
    if earned >= required * elapsed_fraction(period, today):
        return Status.ON_TRACK
    remaining_months = Decimal((period.end.year - today.year) * 12 + period.end.month - today.month) + (
        Decimal(month_end(today).day - today.day + 1) / month_end(today).day
    )
    if earned + recent_monthly * remaining_months >= required:
        return Status.BEHIND
    return Status.WILL_MISS
