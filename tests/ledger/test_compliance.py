"""A person's standing and a subtree's summary, on hand-checked data; the summary (SQL over rollups)
agrees with the person-by-person evaluation for every rule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.ledger import services
from jingpei.ledger.compliance import people_for_rule, person_compliance, subtree_summary
from jingpei.ledger.models import Exemption, RequirementRule
from jingpei.ledger.rules import Status
from jingpei.orgs.models import Category, Person, PersonCategory, PersonRank
from tests.factories import make_person, numbered

AS_OF = date(2026, 6, 30)


def credit(person, key, hours, form="online", day=date(2026, 2, 1)):
    services.credit_hours(person=person, hours=hours, form=form, occurred_on=day, idempotency_key=key)


@pytest.fixture
def world(settled):
    cast = settled
    credit(cast.person_a, "a:1", "40")                    # 40/60 by June 30: on track (expected 29.8)
    credit(cast.person_a2, "a2:1", "5")                   # 5/60: behind
    credit(cast.person_b, "b:1", "70")                    # met
    credit(cast.person_b, "b:2", "10", form="class")      # does not count for online
    late = make_person(cast.branch_a, "孙新人")             # joined 2026-04-10: 9 of 12 months → 45 h
    Person.objects.filter(pk=late.pk).update(created_at=datetime(2026, 4, 10, 2, tzinfo=UTC))
    credit(late, "late:1", "25", day=date(2026, 5, 1))    # expected 45 × 0.496 = 22.3: on track
    sick = make_person(cast.branch_b, "周病休")
    Person.objects.filter(pk=sick.pk).update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    Exemption.objects.create(person=sick, kind="illness", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                             reason="病休", approved_by=cast.officer)
    cadre = Category.objects.create(code="fupin", name="扶贫干部")
    for p in (cast.person_a, cast.person_a2, cast.person_b):
        PersonCategory.objects.create(person=p, category=cadre, year=2026)
    # county-level leaders (the 550-hour five-year rule): person_b newly promoted, person_a2 for years
    Person.objects.filter(pk=cast.person_b.pk).update(rank_level="county_deputy", rank_since=date(2025, 6, 10))
    PersonRank.objects.create(person=cast.person_b, rank_level="county_deputy", since=date(2025, 6, 10))
    Person.objects.filter(pk=cast.person_a2.pk).update(rank_level="county_chief")
    for p in (cast.person_b, cast.person_a2, late, sick):
        p.refresh_from_db()
    cast.late, cast.sick, cast.cadre = late, sick, cadre
    return cast


def by_code(results):
    return {r.rule.code: r for r in results}


def test_person_compliance(world):
    results = by_code(person_compliance(world.person_a, as_of=AS_OF))
    yearly = results["online-yearly"]
    assert (yearly.required, yearly.earned, yearly.gap, yearly.status) == (D("60.0"), D("40"), D("20.0"), Status.ON_TRACK)
    monthly = results["online-monthly"]  # June: nothing online
    assert (monthly.required, monthly.earned) == (D("5.0"), D("0"))
    assert monthly.status in (Status.MISSED, Status.WILL_MISS)
    assert "county-leader-5y" not in results  # not a county-level leader
    late = by_code(person_compliance(world.late, as_of=AS_OF))["online-yearly"]
    assert (late.required, late.status) == (D("45.0"), Status.ON_TRACK)
    sick = by_code(person_compliance(world.sick, as_of=AS_OF))["online-yearly"]
    assert sick.status == Status.EXEMPT


def test_the_newly_promoted_get_the_rules_grace_year(world):
    promoted = by_code(person_compliance(world.person_b, as_of=AS_OF))["county-leader-5y"]
    # 2023–2027; promoted 2025-06-10, grace to June 2026: 19 of 60 months × 550 = 174.2
    assert (promoted.required, promoted.notes) == (D("174.2"), ("2025-06-10 新提任，宽限 1 年",))
    assert by_code(person_compliance(world.person_a2, as_of=AS_OF))["county-leader-5y"].required == D("550.0")
    rule = RequirementRule.objects.get(code="county-leader-5y")
    [summary] = subtree_summary(world.district, as_of=AS_OF, rules=[rule])
    assert summary.total.covered == 2


def test_subtree_summary_hand_checked(world):
    rule = RequirementRule.objects.get(code="online-yearly")
    [summary] = subtree_summary(world.district, as_of=AS_OF, rules=[rule])
    t = summary.total
    assert (t.covered, t.met, t.on_track, t.behind, t.exempt) == (4, 1, 2, 1, 1)
    a = summary.by_child[world.town_a.path]
    assert (a.covered, a.met, a.on_track, a.behind) == (3, 0, 2, 1)
    b = summary.by_child[world.town_b.path]
    assert (b.covered, b.met, b.exempt) == (1, 1, 1)
    cadres = summary.by_category[world.cadre.pk]
    assert (cadres.covered, cadres.met, cadres.behind) == (3, 1, 1)
    [only_a] = subtree_summary(world.town_a, as_of=AS_OF, rules=[rule])
    assert only_a.total.covered == 3 and set(only_a.by_child) <= {world.village_a.path}


@pytest.mark.parametrize("as_of", [date(2026, 2, 15), AS_OF, date(2026, 12, 31), date(2027, 1, 10)])
def test_summary_agrees_with_person_by_person(world, as_of):
    for summary in subtree_summary(world.district, as_of=as_of):
        results = [r for _p, r in people_for_rule(world.district, summary.rule, as_of=as_of)]
        exempt = sum(r.status == Status.EXEMPT for r in results)
        met = sum(r.status == Status.MET for r in results)
        behind = sum(r.status in (Status.BEHIND, Status.WILL_MISS, Status.MISSED) for r in results)
        assert (summary.total.covered, summary.total.met, summary.total.behind, summary.total.exempt) == (
            len(results) - exempt, met, behind, exempt), summary.rule.code


def test_summary_query_count_does_not_grow_with_people(world):
    rule = RequirementRule.objects.get(code="online-yearly")
    with CaptureQueriesContext(connection) as small:
        subtree_summary(world.district, as_of=AS_OF, rules=[rule])
    for i in range(10):
        p = make_person(world.branch_a, numbered("新人", i))
        Person.objects.filter(pk=p.pk).update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
        credit(p, f"n:{i}", "3")
    with CaptureQueriesContext(connection) as big:
        subtree_summary(world.district, as_of=AS_OF, rules=[rule])
    assert len(big) == len(small)


def test_grace_and_category_rule(world):
    rule = services.save_rule(actor=world.officer, name="扶贫干部5年300学时", period_kind="multi_year", period_years=5,
                              cycle_start_year=2023, min_hours=D("300"), grace_years=1, categories=[world.cadre])
    PersonCategory.objects.create(person=world.person_a, category=world.cadre, year=2025)
    PersonCategory.objects.create(person=world.person_a2, category=world.cadre, year=2023)
    # person_a entered the category in 2025, after the cycle began: one grace year, 2026–2027 count → 24/60
    assert by_code(person_compliance(world.person_a, as_of=AS_OF))[rule.code].required == D("120.0")
    # person_a2 has been in it since 2023: the full 300
    assert by_code(person_compliance(world.person_a2, as_of=AS_OF))[rule.code].required == D("300.0")
    [summary] = subtree_summary(world.district, as_of=AS_OF, rules=[rule])
    assert summary.total.covered == 3


def test_carry_over_adds_last_periods_surplus(world):
    rule = services.save_rule(actor=world.officer, name="结转规则", period_kind="year", min_hours=D("30"),
                              forms=["online"], carry_over=True)
    credit(world.person_a2, "prev:1", "45", day=date(2025, 5, 1))  # 15 over 2025's 30
    result = by_code(person_compliance(world.person_a2, as_of=AS_OF))[rule.code]
    assert result.earned == D("20")  # 5 this year + 15 carried
    [summary] = subtree_summary(world.district, as_of=AS_OF, rules=[rule])
    people = people_for_rule(world.district, rule, as_of=AS_OF)
    assert summary.total.met == sum(r.status == Status.MET for _p, r in people)
    assert summary.total.covered == len(people) - sum(r.status == Status.EXEMPT for _p, r in people)
