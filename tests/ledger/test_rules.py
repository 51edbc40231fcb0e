"""The presets computed right on hand-checked examples: periods, proration, exemptions, grace, status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from jingpei.ledger.models import RequirementRule
from jingpei.ledger.rules import PersonFacts, Status, period_for, requirement, status


def preset(code):
    return RequirementRule.objects.get(code=code)


@pytest.mark.django_db
def test_presets_are_installed_and_switchable():
    codes = set(RequirementRule.objects.values_list("code", flat=True))
    assert {"online-monthly", "online-yearly", "fulltime-yearly", "county-leader-5y"} <= codes
    assert preset("online-monthly").required_hours == D("5")
    assert preset("online-yearly").required_hours == D("60")
    assert preset("fulltime-yearly").required_hours == D("90")  # 12 days × 7.5 = 90, either suffices
    assert preset("county-leader-5y").required_hours == D("550")


@pytest.mark.django_db
def test_periods():
    assert period_for(preset("online-monthly"), date(2026, 2, 14)).end == date(2026, 2, 28)
    five = period_for(preset("county-leader-5y"), date(2026, 6, 1))
    assert (five.start, five.end) == (date(2023, 1, 1), date(2027, 12, 31))
    assert period_for(preset("county-leader-5y"), date(2028, 1, 1)).start == date(2028, 1, 1)
    quarter = period_for(RequirementRule(period_kind="quarter"), date(2026, 8, 31))
    assert (quarter.start, quarter.end) == (date(2026, 7, 1), date(2026, 9, 30))


@pytest.mark.django_db
@pytest.mark.parametrize(("joined", "expected"), [
    (date(2020, 1, 1), D("60.0")),   # there all year
    (date(2026, 7, 1), D("30.0")),   # 6 of 12 months
    (date(2026, 7, 15), D("30.0")),  # joined by the 15th: July counts
    (date(2026, 7, 16), D("25.0")),  # after the 15th: from August, 5 months
    (date(2026, 12, 20), D("0.0")),  # nothing left: exempt for the year
])
def test_yearly_online_prorated_by_join_month(joined, expected):
    rule = preset("online-yearly")
    period = period_for(rule, date(2026, 12, 31))
    req = requirement(rule, PersonFacts(1, joined_on=joined), period, category_ids=set())
    assert req.required == expected
    assert req.exempt == (expected == 0)


@pytest.mark.django_db
def test_exemption_removes_months_covered_at_least_half():
    rule = preset("online-yearly")
    period = period_for(rule, date(2026, 6, 1))
    # sick leave 2026-03-10 .. 2026-05-20: March has 22 of 31 days (exempt), April all, May 20 of 31 (exempt)
    facts = PersonFacts(1, joined_on=date(2020, 1, 1), exemptions=[(date(2026, 3, 10), date(2026, 5, 20), None)])
    assert requirement(rule, facts, period, category_ids=set()).required == D("45.0")
    # 10 days of June is less than half: June still counts
    facts = PersonFacts(1, joined_on=date(2020, 1, 1), exemptions=[(date(2026, 6, 1), date(2026, 6, 10), None)])
    assert requirement(rule, facts, period, category_ids=set()).required == D("60.0")
    # an exemption for another rule does not apply
    facts = PersonFacts(1, joined_on=date(2020, 1, 1), exemptions=[(date(2026, 1, 1), date(2026, 12, 31), 9999)])
    assert requirement(rule, facts, period, category_ids=set()).required == D("60.0")


@pytest.mark.django_db
def test_five_year_rule_with_grace_after_entering_the_category():
    rule = preset("county-leader-5y")
    period = period_for(rule, date(2026, 6, 1))  # 2023–2027
    # entered the category in 2025; one grace year: 2026 and 2027 count, 24 of 60 months
    facts = PersonFacts(1, joined_on=date(2015, 1, 1), category_years={7: {2025, 2026}})
    assert requirement(rule, facts, period, category_ids={7}).required == D("220.0")
    # in the category since the cycle began: no grace
    facts = PersonFacts(1, joined_on=date(2015, 1, 1), category_years={7: {2023, 2024, 2025, 2026}})
    assert requirement(rule, facts, period, category_ids={7}).required == D("550.0")


@pytest.mark.django_db
@pytest.mark.parametrize(("rank", "history", "expected"), [
    # newly promoted 2025-06-10: a grace year to June 2026; June 2026–December 2027 count, 19 of 60 months
    ("county_deputy", [("section_chief", date(2018, 3, 1)), ("county_deputy", date(2025, 6, 10))], D("174.2")),
    # after the 15th: from July 2026, 18 months
    ("county_deputy", [("county_deputy", date(2025, 6, 20))], D("165.0")),
    # promoted within the rule's ranks (副职 to 正职): in them since 2019, no grace
    ("county_chief", [("county_deputy", date(2019, 3, 1)), ("county_chief", date(2025, 6, 10))], D("550.0")),
    # promoted before the cycle began
    ("county_deputy", [("county_deputy", date(2022, 12, 1))], D("550.0")),
    # the current rank has no dated record (the history ends with another rank): unknown, no grace
    ("county_deputy", [("section_chief", date(2018, 3, 1))], D("550.0")),
    ("county_deputy", [], D("550.0")),
])
def test_five_year_rank_rule_gives_the_newly_promoted_a_grace_year(rank, history, expected):
    rule = preset("county-leader-5y")
    period = period_for(rule, date(2026, 12, 6))  # 2023–2027
    facts = PersonFacts(1, joined_on=date(2015, 1, 1), rank_level=rank, rank_history=history)
    req = requirement(rule, facts, period, category_ids=set())
    assert req.required == expected
    assert any("新提任，宽限 1 年" in n for n in req.notes) == (expected < D("550"))


@pytest.mark.django_db
def test_status():
    rule = preset("online-yearly")
    period = period_for(rule, date(2026, 7, 1))
    kw = {"required": D("60"), "period": period, "exempt": False}
    assert status(earned=D("60"), today=date(2026, 7, 1), **kw) == Status.MET
    assert status(earned=D("31"), today=date(2026, 6, 30), **kw) == Status.ON_TRACK  # half the year, half the hours
    # 20 h by 30 June, but 6 h a month lately: 20 + 6 × 6 = 56 < 60 → will miss; at 8 h a month: behind
    assert status(earned=D("20"), today=date(2026, 6, 30), recent_monthly=D("6"), **kw) == Status.WILL_MISS
    assert status(earned=D("20"), today=date(2026, 6, 30), recent_monthly=D("8"), **kw) == Status.BEHIND
    assert status(earned=D("59.9"), today=date(2027, 1, 2), **kw) == Status.MISSED
    assert status(earned=D("0"), today=date(2026, 6, 30), required=D("0"), period=period, exempt=True) == Status.EXEMPT


@pytest.mark.parametrize(("start", "end", "chinese", "english"), [
    (date(2026, 3, 1), date(2026, 3, 31), "2026年3月", "2026-03"),
    (date(2026, 1, 1), date(2026, 12, 31), "2026年", "2026"),
    (date(2023, 1, 1), date(2027, 12, 31), "2023–2027年", "2023–2027"),
    (date(2026, 4, 1), date(2026, 6, 30), "2026年4月–2026年6月", "2026-04–2026-06"),
])
def test_period_labels_follow_the_page_language(start, end, chinese, english):
    from django.utils import translation

    from jingpei.ledger.rules import Period

    with translation.override("zh-hans"):
        assert Period(start, end).label == chinese
    with translation.override("en"):
        assert Period(start, end).label == english
