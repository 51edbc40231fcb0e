"""Classes' figures on the home page: this year's plans against their targets, for whoever manages them."""

from __future__ import annotations

from django.utils import timezone

from jingpei.classes import services as classes
from jingpei.core.overview import gauges_for
from tests.classes.conftest import enrol


def test_the_plan_of_the_year_against_its_target(cast, klass):
    year = timezone.localdate().year
    plan = classes.create_plan(actor=cast.officer, org=cast.district, year=year, title="召陵区年度培训计划",
                               total_target=8)
    town_plan = classes.create_plan(actor=cast.officer, org=cast.town_b, year=year, title="万金镇年度培训计划",
                                    total_target=0)
    classes.create_plan(actor=cast.officer, org=cast.district, year=year - 1, title="去年的计划", total_target=5)
    klass.plan = plan
    klass.save()
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_b)
    classes.nominate(actor=cast.liaison_a, klass=klass, person=cast.person_a2)  # not admitted: not counted
    plans = [g for g in gauges_for(cast.officer) if g.group == "年度培训计划"]
    assert [(g.label, g.value, g.percent, g.note) for g in plans] == [
        ("召陵区年度培训计划", "2 / 8 人次", 25, "召陵区 · 已完成 25%"),
        ("万金镇年度培训计划", "0 / 0 人次", 0, "万金镇 · 已完成 0%"),
    ]
    assert plans[0].url == f"/classes/plans/{plan.pk}/" and plans[1].url == f"/classes/plans/{town_plan.pk}/"
    # A township's liaison manages no plan of the district's (the plans page shows them none either).
    assert [g for g in gauges_for(cast.liaison_a) if g.group == "年度培训计划"] == []
