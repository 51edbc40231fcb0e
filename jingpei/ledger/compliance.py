"""Read side of the requirement rules: one person's standing, and a subtree's summary.

The subtree summary is SQL over the month rollups, grouped in the database; only "special" people —
those whose requirement is not the rule's full minimum (joined during the period, exempted, or in a
grace period) — are evaluated one by one in Python, through the same functions as the person page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from jingpei.ledger.models import ConversionRule, Exemption, MonthRollup, RequirementRule, hours_of
from jingpei.ledger.rules import (
    STATUS_COLORS,
    STATUS_LABELS,
    Period,
    PersonFacts,
    Status,
    add_months,
    applies,
    month_end,
    period_for,
    previous_period,
    requirement,
    status,
)
from jingpei.orgs import ranks
from jingpei.orgs.models import Organization, Person, PersonCategory, PersonRank


def today() -> date:
    return timezone.localdate()


def year_caps() -> dict[str, int]:
    """Per-year caps (in tenths) by form, from the active conversion rules."""
    caps: dict[str, int] = {}
    for form, cap in ConversionRule.objects.filter(active=True, cap_per_year__isnull=False).values_list(
        "form", "cap_per_year"
    ):
        caps[form] = min(caps.get(form, 1 << 62), int(cap * 10))
    return caps


def _earned(rows, rule: RequirementRule, period: Period, caps: dict[str, int]) -> int:
    """Tenths earned in ``period`` from (month, form, tenths) rows, forms filtered and capped per year."""
    per_year_form: dict[tuple[int, str], int] = defaultdict(int)
    for month, form, tenths in rows:
        if period.start <= month <= period.end and (not rule.forms or form in rule.forms):
            per_year_form[(month.year, form)] += tenths
    return sum(min(t, caps[f]) if f in caps else t for (_y, f), t in per_year_form.items())


# --- one person -----------------------------------------------------------------------------------
@dataclass
class RuleResult:
    rule: RequirementRule
    period: Period
    required: Decimal
    earned: Decimal
    status: str
    notes: tuple[str, ...] = ()

    @property
    def gap(self) -> Decimal:
        return max(Decimal(0), self.required - self.earned)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def status_color(self) -> str:
        return STATUS_COLORS[self.status]

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(self.earned * 100 / self.required))


def _joined_on(person: Person) -> date:
    return timezone.localtime(person.created_at).date()


def person_facts(people: list[Person]) -> dict[int, PersonFacts]:
    ids = [p.pk for p in people]
    facts = {
        p.pk: PersonFacts(p.pk, joined_on=_joined_on(p), rank_level=p.rank_level or "",
                          org_path=p.primary_org.path if p.primary_org_id else "")
        for p in people
    }
    for person_id, category_id, year in PersonCategory.objects.filter(person_id__in=ids).values_list(
        "person_id", "category_id", "year"
    ):
        facts[person_id].category_years.setdefault(category_id, set()).add(year)
    for person_id, start, end, rule_id in Exemption.objects.filter(person_id__in=ids).values_list(
        "person_id", "starts_on", "ends_on", "rule_id"
    ):
        facts[person_id].exemptions.append((start, end, rule_id))
    for person_id, history in ranks.history_of(ids).items():
        facts[person_id].rank_history = history
    return facts


def _rule_categories(rules) -> dict[int, set[int]]:
    through = RequirementRule.categories.through
    out: dict[int, set[int]] = defaultdict(set)
    for rule_id, category_id in through.objects.filter(requirementrule__in=rules).values_list(
        "requirementrule_id", "category_id"
    ):
        out[rule_id].add(category_id)
    return out


def evaluate(rule: RequirementRule, facts: PersonFacts, rows, *, as_of: date, category_ids: set[int],
             org_path: str | None, caps: dict[str, int]) -> RuleResult | None:
    period = period_for(rule, as_of)
    if not rule.active or not applies(rule, facts, period, category_ids=category_ids, org_path=org_path):
        return None
    req = requirement(rule, facts, period, category_ids=category_ids)
    earned_t = _earned(rows, rule, period, caps)
    if rule.carry_over:
        prev = previous_period(rule, period)
        prev_req = requirement(rule, facts, prev, category_ids=category_ids)
        earned_t += max(0, _earned(rows, rule, prev, caps) - int(prev_req.required * 10))
    # The recent pace: hours of the current month and the two before, per month elapsed in that span.
    recent_start = add_months(as_of.replace(day=1), -2)
    recent = _earned([r for r in rows if recent_start <= r[0] <= as_of], rule, Period(recent_start, as_of), caps)
    span = 2 + Decimal(as_of.day) / month_end(as_of).day
    earned = hours_of(earned_t)
    st = status(required=req.required, earned=earned, period=period, today=as_of, exempt=req.exempt,
                recent_monthly=Decimal(recent) / 10 / span)
    return RuleResult(rule, period, req.required, earned, st, req.notes)


def person_compliance(person: Person, *, as_of: date | None = None) -> list[RuleResult]:
    """Every switched-on rule that covers ``person`` at ``as_of``: required, earned, gap, status."""
    as_of = as_of or today()
    rules = list(RequirementRule.objects.switched_on().select_related("org"))
    if not rules:
        return []
    facts = person_facts([person])[person.pk]
    rule_cats = _rule_categories(rules)
    start = min(min(previous_period(r, period_for(r, as_of)).start for r in rules), add_months(as_of.replace(day=1), -2))
    rows = list(MonthRollup.objects.filter(person=person, month__gte=start, month__lte=as_of.replace(month=12, day=31))
                .values_list("month", "form", "tenths"))
    caps = year_caps()
    results = []
    for rule in rules:
        result = evaluate(rule, facts, rows, as_of=as_of, category_ids=rule_cats.get(rule.pk, set()),
                          org_path=rule.org.path if rule.org_id else None, caps=caps)
        if result:
            results.append(result)
    return results


def monthly_hours(person: Person, year: int) -> list[dict]:
    """Hours per month of ``year`` by form, for the person's chart."""
    by_month: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for month, form, tenths in MonthRollup.objects.filter(person=person, month__year=year).values_list(
        "month", "form", "tenths"
    ):
        by_month[month.month][form] = hours_of(tenths)
    return [{"month": m, "forms": by_month.get(m, {})} for m in range(1, 13)]


# --- a subtree ------------------------------------------------------------------------------------
class Counts(NamedTuple):
    """People by status; ``covered`` (everyone not exempt) is derived, so it can never disagree.

    Immutable (add with :meth:`plus`): the materialised summary makes hundreds per call straight from the
    database's row tuples (``Counts._make``, no Python ``__init__``)."""

    met: int = 0
    on_track: int = 0
    behind: int = 0
    exempt: int = 0

    @property
    def covered(self) -> int:
        return self.met + self.on_track + self.behind

    def plus(self, other: Counts) -> Counts:
        return Counts(self.met + other.met, self.on_track + other.on_track, self.behind + other.behind,
                      self.exempt + other.exempt)

    @property
    def rate(self) -> float:
        return round(self.met * 100 / self.covered, 1) if self.covered else 0.0


@dataclass
class RuleSummary:
    rule: RequirementRule
    period: Period
    total: Counts = field(default_factory=Counts)
    by_child: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_category: dict[int, Counts] = field(default_factory=lambda: defaultdict(Counts))


def _period_start_dt(period: Period) -> datetime:
    return timezone.make_aware(datetime.combine(period.start, time.min))


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _population_sql(rule: RequirementRule, period: Period, root: Organization, category_ids: set[int]) -> tuple[str, list]:
    """WHERE clause (over ``p`` person and ``o`` primary org) of the people ``rule`` covers in ``root``."""
    sql = ["o.path LIKE %s ESCAPE '\\'", "p.archived_at IS NULL"]
    params: list = [_like(root.path)]
    if rule.org_id:
        sql.append("o.path LIKE %s ESCAPE '\\'")
        params.append(_like(rule.org.path))
    if rule.rank_levels:
        sql.append(f"p.rank_level IN ({', '.join(['%s'] * len(rule.rank_levels))})")
        params += list(rule.rank_levels)
    if category_ids:
        sql.append(
            f"EXISTS (SELECT 1 FROM {PersonCategory._meta.db_table} pc WHERE pc.person_id = p.id "  # noqa: S608
            f"AND pc.year BETWEEN %s AND %s AND pc.category_id IN ({', '.join(['%s'] * len(category_ids))}))"
        )
        params += [period.start.year, period.end.year, *sorted(category_ids)]
    return " AND ".join(sql), params


def _special_sql(rule: RequirementRule, period: Period, category_ids: set[int]) -> tuple[str, list]:
    """People whose requirement is not the full minimum: joined during the period, exempted in it, or
    entered the rule's category after the cycle began (grace). With carry-over everyone is special: the
    surplus of the previous period is computed person by person."""
    if rule.carry_over:
        return "(1 = 1)", []
    sql = [
        "p.created_at >= %s",
        f"EXISTS (SELECT 1 FROM {Exemption._meta.db_table} x WHERE x.person_id = p.id AND x.starts_on <= %s "  # noqa: S608
        "AND x.ends_on >= %s AND (x.rule_id IS NULL OR x.rule_id = %s))",
    ]
    # adapted as the ORM adapts it: a raw aware datetime reaches SQLite as local-time text with an offset,
    # which compares as text against the stored UTC values (wrong for joins at the very start of a period)
    params: list = [connection.ops.adapt_datetimefield_value(_period_start_dt(period)), period.end, period.start, rule.pk]
    if rule.grace_years and category_ids:
        sql.append(
            f"EXISTS (SELECT 1 FROM {PersonCategory._meta.db_table} pg WHERE pg.person_id = p.id "  # noqa: S608
            f"AND pg.category_id IN ({', '.join(['%s'] * len(category_ids))}) GROUP BY pg.person_id "
            "HAVING MIN(pg.year) > %s)"
        )
        params += [*sorted(category_ids), period.start.year]
    if rule.grace_years and rule.rank_levels:  # any rank recorded in the period: Python tells promotion apart
        sql.append(f"EXISTS (SELECT 1 FROM {PersonRank._meta.db_table} pr WHERE pr.person_id = p.id "  # noqa: S608
                   "AND pr.since > %s)")
        params.append(period.start)
    return "(" + " OR ".join(sql) + ")", params


def _special_candidates(root: Organization, rules_periods, rule_cats) -> list[Person]:
    """In one scan of the subtree: the people special for at least one rule (see :func:`_special_sql`)."""
    person, org = Person._meta.db_table, Organization._meta.db_table
    specials, params = [], [_like(root.path)]
    for rule, period in rules_periods:
        sql, sparams = _special_sql(rule, period, rule_cats.get(rule.pk, set()))
        specials.append(sql)
        params += sparams
    if not specials:
        return []
    ids = Person.objects.raw(
        f"SELECT p.id FROM {person} p JOIN {org} o ON o.id = p.primary_org_id "  # noqa: S608
        f"WHERE o.path LIKE %s ESCAPE '\\' AND p.archived_at IS NULL AND ({' OR '.join(specials)})",
        params,
    )
    return list(Person.objects.filter(pk__in=[p.pk for p in ids]).select_related("primary_org"))


def _is_special(rule: RequirementRule, period: Period, person: Person, facts: PersonFacts, cats: set[int]) -> bool:
    """The Python twin of :func:`_special_sql` (the two must agree: one splits the SQL, one the rest)."""
    if rule.carry_over:
        return True
    if person.created_at >= _period_start_dt(period):
        return True
    if any(s <= period.end and e >= period.start and r in (None, rule.pk) for s, e, r in facts.exemptions):
        return True
    if rule.grace_years and cats:
        held = [y for c in cats for y in facts.category_years.get(c, set())]
        if held and min(held) > period.start.year:
            return True
    return bool(rule.grace_years and rule.rank_levels and any(since > period.start for _r, since in facts.rank_history))


def _bucket(result: RuleResult | None) -> Counts:
    if result is None:
        return Counts()
    if result.status == Status.EXEMPT:
        return Counts(exempt=1)
    if result.status == Status.MET:
        return Counts(met=1)
    if result.status in (Status.ON_TRACK, Status.NOT_STARTED):
        return Counts(on_track=1)
    return Counts(behind=1)


def subtree_summary(root: Organization, *, as_of: date | None = None, rules=None) -> list[RuleSummary]:
    """For each switched-on rule (or ``rules``): people covered in ``root``'s subtree, met / on track /
    behind, by child organisation (path prefix one level below ``root``) and by category (of ``as_of``'s
    year), evaluated for ``as_of`` as the daily materialisation evaluates everyone (one implementation
    of the statuses in SQL, see :func:`standing.summary_at`)."""
    from jingpei.ledger import standing  # standing builds on this module

    rules = rules if rules is not None else RequirementRule.objects.switched_on().select_related("org")
    return standing.summary_at(root, as_of or today(), rules)


def _categories_in_year(person: Person, year: int) -> list[int]:
    facts = getattr(person, "_facts", None)
    if facts is None:
        return []
    return [c for c, years in facts.category_years.items() if year in years]


def _evaluate_many(rule, people: list[Person], as_of: date, cats: set[int], caps,
                   facts: dict[int, PersonFacts] | None = None) -> list[tuple[Person, RuleResult | None]]:
    facts = facts if facts is not None else person_facts(people)
    period = period_for(rule, as_of)
    start = previous_period(rule, period).start if rule.carry_over else min(period.start, add_months(as_of.replace(day=1), -2))
    rows: dict[int, list] = defaultdict(list)
    for person_id, month, form, tenths in MonthRollup.objects.filter(
        person_id__in=[p.pk for p in people], month__gte=start, month__lte=period.end
    ).values_list("person_id", "month", "form", "tenths"):
        rows[person_id].append((month, form, tenths))
    out = []
    for person in people:
        person._facts = facts[person.pk]
        out.append((person, evaluate(rule, facts[person.pk], rows[person.pk], as_of=as_of, category_ids=cats,
                                     org_path=rule.org.path if rule.org_id else None, caps=caps)))
    return out


def people_for_rule(root: Organization, rule: RequirementRule, *, as_of: date | None = None,
                    child_path: str | None = None, category_id: int | None = None,
                    statuses: set[str] | None = None) -> list[tuple[Person, RuleResult]]:
    """Drill-down: the people of ``root`` (optionally one child organisation or category) that ``rule``
    covers, each with their result; filtered to ``statuses`` when given."""
    as_of = as_of or today()
    period = period_for(rule, as_of)
    cats = _rule_categories([rule]).get(rule.pk, set())
    scope = child_path or root.path
    people = Person.objects.active().filter(primary_org__path__startswith=scope).select_related("primary_org")
    if rule.rank_levels:
        people = people.filter(rank_level__in=rule.rank_levels)
    if category_id:
        people = people.filter(categories__category_id=category_id, categories__year=as_of.year)
    if cats:
        people = people.filter(categories__category_id__in=cats,
                               categories__year__range=(period.start.year, period.end.year)).distinct()
    results = [(p, r) for p, r in _evaluate_many(rule, list(people.order_by("pinyin", "id")), as_of, cats, year_caps())
               if r is not None]
    if statuses:
        results = [(p, r) for p, r in results if r.status in statuses]
    return results
