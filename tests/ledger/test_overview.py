"""The ledger's figures on the home page: each subtree's share meeting each rule, as materialised, and a
person's own standing; nothing of anyone else's, and nothing computed on the way."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingpei.core.overview import gauges_for
from jingpei.ledger import compliance, standing
from jingpei.ledger import services as ledger
from jingpei.ledger.models import RequirementRule


def shown(user) -> list[tuple[str, str, str]]:
    return [(g.group, g.label, g.value) for g in gauges_for(user)]


def test_each_subtree_sees_its_own_share_meeting_each_rule(cast):
    monthly = RequirementRule.objects.get(code="online-monthly")
    today = compliance.today()
    ledger.credit_hours(person=cast.person_a, hours=6, form="online", occurred_on=today, idempotency_key="t:1")
    standing.rebuild()
    officer = {label: value for group, label, value in shown(cast.officer) if group == "学时达标 · 召陵区"}
    assert officer[monthly.name] == "达标 1 / 3 人"
    town_a = {label: value for group, label, value in shown(cast.liaison_a) if group.startswith("学时达标")}
    assert town_a[monthly.name] == "达标 1 / 2 人"
    town_b = [(group, label, value) for group, label, value in shown(cast.liaison_b) if group.startswith("学时达标")]
    assert {group for group, _l, _v in town_b} == {"学时达标 · 万金镇"}
    assert ("学时达标 · 万金镇", monthly.name, "达标 0 / 1 人") in town_b
    gauge = next(g for g in gauges_for(cast.officer) if g.label == monthly.name and g.group.startswith("学时达标"))
    assert gauge.percent == 33 and gauge.url == f"/ledger/org/{cast.district.pk}/"
    assert gauge.note.endswith("达标率 33.3% · 滞后 2 人")


def test_no_figures_kept_yet_means_no_gauge_and_no_computation(cast):
    with CaptureQueriesContext(connection) as q:
        assert [g for g in gauges_for(cast.officer) if g.group.startswith("学时达标")] == []
    assert not any("ledger_monthrollup" in x["sql"] for x in q.captured_queries)  # nothing evaluated here


def test_a_person_sees_their_own_standing_only(cast):
    monthly = RequirementRule.objects.get(code="online-monthly")
    ledger.credit_hours(person=cast.person_a, hours=2.5, form="online", occurred_on=compliance.today(),
                        idempotency_key="t:2")
    ledger.credit_hours(person=cast.person_b, hours=9, form="online", occurred_on=compliance.today(),
                        idempotency_key="t:3")
    standing.rebuild()
    mine = {g.label: g for g in gauges_for(cast.trainee) if g.group == "我的学时"}
    assert mine[monthly.name].value == "2.5 / 5.0 学时" and mine[monthly.name].percent == 50
    assert mine[monthly.name].url == "/ledger/me/"
    assert all(g.group == "我的学时" for g in gauges_for(cast.trainee))  # no subtree, no plan
    assert [g for g in gauges_for(cast.liaison_b) if g.group == "我的学时"] == []  # no person of their own
