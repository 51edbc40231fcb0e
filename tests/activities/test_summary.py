"""The figures of the district view and the branch page, computed from the records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from jingpei.activities import queries, services
from tests.factories import make_org, make_person, numbered

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_15_march():
    with time_machine.travel("2026-03-15 10:00 +0800", tick=False):
        yield date(2026, 3, 15)


def test_district_totals_grid_idle_and_coverage(cast, log_session, on_15_march):
    extra = make_person(cast.branch_a, "孙三")
    log_session(held_on=date(2026, 1, 10), topic="一月学习", attendee_ids=[cast.person_a.pk], guest_names=["客人"])
    log_session(held_on=date(2026, 3, 2), topic="三月学习", attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
    log_session(held_on=date(2025, 12, 30), topic="去年学习", attendee_ids=[extra.pk])  # other year
    summary = queries.district_summary(cast.district, queries.Period(on_15_march))
    assert summary.sessions == 2 and summary.person_times == 4
    assert summary.months[0] == 1 and summary.months[2] == 1 and summary.month_sessions == 1
    assert summary.branches == 2 and summary.active_branches == 1
    assert [b.name for b in summary.idle_branches] == ["刘庄村党支部"]
    assert summary.members == 4 and summary.reached == 2 and summary.coverage == Decimal("50.0")
    rows = {r.org.name: r for r in summary.rows}
    assert rows["老窝镇"].sessions == 2 and rows["老窝镇"].idle_this_month == 0
    assert rows["万金镇"].sessions == 0 and rows["万金镇"].idle_this_month == 1
    # drill-down: the township's children are its villages
    town = queries.district_summary(cast.town_a, queries.Period(on_15_march))
    assert [r.org.name for r in town.rows] == ["朱集村"]


def test_as_of_date_counts_only_up_to_that_day(cast, log_session, on_15_march):
    log_session(held_on=date(2026, 1, 10), topic="一月")
    log_session(held_on=date(2026, 3, 10), topic="三月")
    assert queries.district_summary(cast.district, queries.Period.parse("2026-02-01")).sessions == 1
    assert queries.Period.parse("2099-01-01").asof == on_15_march  # never beyond today
    assert queries.Period.parse("nonsense").asof == on_15_march


def test_branches_short_of_the_default_rule_are_listed(cast, log_session, on_15_march):
    log_session(held_on=date(2026, 3, 2), topic="一", attendee_ids=[cast.person_a.pk, cast.person_a2.pk])
    summary = queries.district_summary(cast.district, queries.Period(on_15_march))
    short = {f.branch.name: f.short_reasons for f in summary.shortfalls}
    assert short["朱集村党支部"] == ["本月学习 1 次，少于 2 次"]
    assert short["刘庄村党支部"][0] == "本月学习 0 次，少于 2 次"

    log_session(held_on=date(2026, 3, 9), topic="二", attendee_ids=[cast.person_a.pk])
    summary = queries.district_summary(cast.district, queries.Period(on_15_march))
    short = {f.branch.name: f.short_reasons for f in summary.shortfalls}
    assert short["朱集村党支部"] == ["参学率 75.0%，低于 90%"]


def test_rules_are_data_nearest_rule_applies(cast, log_session, on_15_march):
    log_session(held_on=date(2026, 3, 2), topic="一", attendee_ids=[cast.person_a.pk])
    services.set_branch_rule(actor=cast.officer, org=cast.town_a, min_sessions_per_month=1, min_participation="50")
    summary = queries.district_summary(cast.district, queries.Period(on_15_march))
    assert "朱集村党支部" not in {f.branch.name for f in summary.shortfalls}
    assert "刘庄村党支部" in {f.branch.name for f in summary.shortfalls}


def test_rule_setting_needs_rules_permission_and_sane_values(cast):
    from jingpei.core.errors import DomainError, NotAllowed

    with pytest.raises(NotAllowed):
        services.set_branch_rule(actor=cast.liaison_a, org=cast.town_a, min_sessions_per_month=1, min_participation=50)
    with pytest.raises(DomainError) as exc:
        services.set_branch_rule(actor=cast.officer, org=cast.town_a, min_sessions_per_month=1, min_participation=150)
    assert exc.value.message == "参学率须为 0 到 100 之间的数字。"


def test_branch_page_attendance_and_never_reached(cast, log_session, on_15_march):
    log_session(held_on=date(2026, 2, 2), topic="一", attendee_ids=[cast.person_a.pk])
    log_session(held_on=date(2026, 3, 2), topic="二", attendee_ids=[cast.person_a.pk])
    summary = queries.branch_summary(cast.branch_a, queries.Period(on_15_march))
    by_name = {m.person.name: m for m in summary.members}
    assert by_name["王小明"].times == 2 and by_name["王小明"].last == date(2026, 3, 2)
    assert [m.person.name for m in summary.never_reached] == ["李芳"]
    assert summary.figures.sessions == 2 and summary.figures.month_sessions == 1
    assert summary.coverage == Decimal("50.0")


def test_merged_sessions_are_not_counted(cast, log_session, on_15_march):
    a = log_session(held_on=date(2026, 3, 2), topic="一")
    b = log_session(held_on=date(2026, 3, 2), topic="一（补录）")
    services.merge_sessions(actor=cast.officer, source=b, target=a)
    assert queries.district_summary(cast.district, queries.Period(on_15_march)).sessions == 1


def test_district_summary_query_count_does_not_grow_with_branches(cast, log_session, on_15_march,
                                                                  django_assert_max_num_queries):
    for i in range(15):
        b = make_org(cast.village_a, f"第{i}支部", "branch")
        p = make_person(b, numbered("成员", i))
        services.create_session(actor=cast.officer, branch=b, held_on=date(2026, 3, 1) + timedelta(days=i % 10),
                                topic="学习", hours="1", attendee_ids=[p.pk])
    with django_assert_max_num_queries(8):
        summary = queries.district_summary(cast.district, queries.Period(on_15_march))
    assert summary.sessions == 15
