"""Credit-conversion rules managed on the rules page: validated, audited, global managers only; a change
re-values the academy's courses that follow the rules and makes compliance stale (per-year caps)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jingpei.academy import services as academy
from jingpei.academy.models import LessonKind
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.ledger import services
from jingpei.ledger.conversion import convert_hours
from jingpei.ledger.models import ComplianceState, ConversionRule

GOOD = {"name": "网络课程60分钟及以上计2学时", "form": "online", "basis": "minutes", "min_quantity": Decimal(60),
        "max_quantity": None, "hours": Decimal(2), "multiplier": Decimal(1), "cap_per_source": None,
        "cap_per_year": None, "active": True}


@pytest.fixture
def long_course_rule(cast):
    """Make room: the preset 30-minutes-or-more rule stops at 60 minutes, so a 60+ rule may join it."""
    preset = ConversionRule.objects.get(code="course-30min")
    return services.save_conversion(actor=cast.officer, conversion=preset, max_quantity=Decimal(60))


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": " "}, "name", "请填写折算规则名称。"),
    ({"hours": Decimal(0)}, "hours", "折合学时须大于 0 且不超过 100。"),
    ({"multiplier": Decimal(-1)}, "multiplier", "倍数须大于 0 且不超过 20。"),
    ({"min_quantity": Decimal(-5)}, "min_quantity", "下限不能为负数。"),
    ({"max_quantity": Decimal(30)}, "max_quantity", "上限须大于下限（范围含下限、不含上限）。"),
    ({"cap_per_year": Decimal(0)}, "cap_per_year", "上限须大于 0；不设上限请留空。"),
    ({"form": "gossip"}, "form", "请选择培训形式。"),
])
def test_bad_values_are_named_and_nothing_is_written(cast, long_course_rule, change, field, message):
    before = ConversionRule.objects.count()
    with pytest.raises(DomainError) as exc:
        services.save_conversion(actor=cast.officer, **{**GOOD, **change})
    assert (exc.value.field, exc.value.message) == (field, message)
    assert ConversionRule.objects.count() == before


def test_overlapping_active_ranges_are_refused(cast):
    with pytest.raises(Conflict, match="与已启用的“网络课程30分钟及以上计1学时”范围重叠"):
        services.save_conversion(actor=cast.officer, **GOOD)  # the preset covers 30 minutes and more
    assert services.save_conversion(actor=cast.officer, **{**GOOD, "active": False}).pk  # switched off: allowed


def test_rules_by_the_item_are_picked_by_code_so_their_ranges_may_overlap(cast):
    micro = ConversionRule.objects.get(code="micro-course")  # beside test-passed: both online, by the item, 0–∞
    services.save_conversion(actor=cast.officer, conversion=micro, hours=Decimal("0.5"))
    assert convert_hours(form="online", basis="item", quantity=1, code="micro-course") == Decimal("0.5")


def test_a_new_rule_applies_to_new_credits_and_is_audited(cast, long_course_rule):
    ComplianceState.objects.update_or_create(pk=1, defaults={"as_of": date(2026, 6, 30), "built_at": timezone.now(),
                                                             "stale": False})
    rule = services.save_conversion(actor=cast.officer, **GOOD)
    assert convert_hours(form="online", basis="minutes", quantity=45) == Decimal(1)
    assert convert_hours(form="online", basis="minutes", quantity=90) == Decimal(2)
    logged = AuditLog.objects.get(action="ledger.conversion_create", object_id=str(rule.pk))
    assert logged.after["hours"] == "2" and logged.actor_id == cast.officer.pk
    assert ComplianceState.objects.get(pk=1).stale  # per-year caps may have moved: summaries wait for a rebuild


def test_only_managers_of_global_rules_may_change_them(cast):
    preset = ConversionRule.objects.get(code="teaching")
    with pytest.raises(NotAllowed):
        services.save_conversion(actor=cast.liaison_a, conversion=preset, multiplier=Decimal(10))
    preset.refresh_from_db()
    assert preset.multiplier == Decimal(5)


def test_a_change_revalues_courses_that_follow_the_rules(cast):
    course = academy.create_course(actor=None, org=cast.district, title="四十分钟课", year=2026, credit_hours=None)
    academy.add_lesson(actor=None, course=course, title="一讲", kind=LessonKind.TEXT, body="乡村振兴" * 30,
                       reading_minutes=40)
    fixed = academy.create_course(actor=None, org=cast.district, title="定额课", year=2026, credit_hours=Decimal("3"))
    course.refresh_from_db()
    assert course.credit_hours == Decimal(1)
    preset = ConversionRule.objects.get(code="course-30min")
    services.save_conversion(actor=cast.officer, conversion=preset, hours=Decimal("1.5"))
    course.refresh_from_db()
    fixed.refresh_from_db()
    assert (course.credit_hours, fixed.credit_hours) == (Decimal("1.5"), Decimal("3"))


def test_the_rules_page_edits_a_conversion_and_reports_errors_on_the_form(cast, client_as):
    c = client_as(cast.officer)
    preset = ConversionRule.objects.get(code="fulltime-day")
    page = c.get(reverse("ledger:rules")).content.decode()
    assert reverse("ledger:conversion", args=[preset.pk]) in page and reverse("ledger:conversion_new") in page
    form = c.get(reverse("ledger:conversion", args=[preset.pk])).content.decode()
    assert 'value="60.0"' in form  # the per-class cap, as stored
    data = {"name": preset.name, "form": "class", "basis": "day", "min_quantity": "0", "max_quantity": "",
            "hours": "6", "multiplier": "1", "cap_per_source": "80", "cap_per_year": "", "active": "on"}
    assert c.post(reverse("ledger:conversion", args=[preset.pk]), data).status_code == 302
    preset.refresh_from_db()
    assert preset.cap_per_source == Decimal(80)
    bad = c.post(reverse("ledger:conversion", args=[preset.pk]), {**data, "hours": "0", "min_quantity": "5",
                                                                  "max_quantity": "2", "cap_per_year": "-3"})
    errors = bad.context["form"].errors
    assert set(errors) == {"hours", "max_quantity", "cap_per_year"}  # every wrong field in one answer
    assert errors["max_quantity"] == ["上限须大于下限（范围含下限、不含上限）。"]
    preset.refresh_from_db()
    assert preset.hours == Decimal(6)
    liaison = client_as(cast.liaison_a)
    assert reverse("ledger:conversion_new") not in liaison.get(reverse("ledger:rules")).content.decode()
    assert liaison.get(reverse("ledger:conversion", args=[preset.pk])).status_code == 403
    assert liaison.post(reverse("ledger:conversion", args=[preset.pk]), {**data, "hours": "9"}).status_code == 403
