"""Courses whose 学时 follow the conversion rules: 30 minutes or more 1 学时, 15–30 minutes 0.5, shorter a
micro-course 0.25 (the presets), from the lessons' total length; micro-courses reach the ledger (in tenths)
as a running total."""

from __future__ import annotations

from decimal import Decimal

import time_machine

from jingpei.academy import services
from jingpei.academy.models import Enrollment, Lesson, LessonKind
from jingpei.core.models import AuditLog
from jingpei.ledger.models import ConversionRule, LedgerEntry
from tests.academy.test_heartbeat import T0, Player, honest


def text_lesson(course, minutes):
    return services.add_lesson(actor=None, course=course, title=f"{minutes} 分钟", kind=LessonKind.TEXT,
                               body="乡村振兴" * 50, reading_minutes=minutes)


def test_hours_follow_the_total_length_as_lessons_are_added(cast):
    course = services.create_course(actor=cast.officer, org=cast.district, title="按规则计学时", year=2026,
                                    credit_hours=None)
    assert course.hours_from_rules and course.credit_hours == 0
    steps = []
    for minutes in (10, 10, 15):  # 10 → a micro-course 0.25, 20 → 0.5, 35 → 1
        text_lesson(course, minutes)
        course.refresh_from_db()
        steps.append(course.credit_hours)
    assert steps == [Decimal("0.25"), Decimal("0.5"), Decimal("1")]
    changes = AuditLog.objects.filter(action="academy.course.hours", object_id=str(course.pk)).order_by("id")
    assert [c.after["credit_hours"] for c in changes] == ["0.25", "0.5", "1"]


def test_declared_hours_are_kept_whatever_the_length(cast):
    course = services.create_course(actor=None, org=cast.district, title="定额学时", year=2026, credit_hours=Decimal("3"))
    text_lesson(course, 10)
    course.refresh_from_db()
    assert not course.hours_from_rules and course.credit_hours == Decimal("3")


def watch_whole_video_course(cast, settings, minutes):
    """A rules course of one video of ``minutes``, watched to the end by 王小明 (no presence checks)."""
    settings.ACADEMY_PRESENCE_MIN_SECONDS = settings.ACADEMY_PRESENCE_MAX_SECONDS = 3600
    course = services.create_course(actor=None, org=cast.district, title=f"{minutes}分钟视频课", year=2026,
                                    credit_hours=None)
    lesson = Lesson.objects.create(course=course, order=1, title="第一讲", kind=LessonKind.VIDEO,
                                   content_type="video/mp4", duration_seconds=minutes * 60)
    services.refresh_rule_hours([course])
    with time_machine.travel(T0, tick=False) as clock:
        honest(Player(cast.person_a, lesson, clock), minutes * 60, step=15)
    return course


def test_completing_a_rules_course_credits_what_the_rules_give(cast, settings):
    watch_whole_video_course(cast, settings, 30)
    assert LedgerEntry.objects.get().hours == Decimal("1.0")


def test_micro_courses_reach_the_ledger_as_a_running_total_in_tenths(cast, settings, client_as):
    courses = [watch_whole_video_course(cast, settings, 10) for _n in range(5)]
    for course in courses:
        course.refresh_from_db()
    assert {c.credit_hours for c in courses} == {Decimal("0.25")}
    entries = list(LedgerEntry.objects.order_by("id").values_list("hours", flat=True))
    # 0.25, 0.5, 0.75, 1.0, 1.25 rounded to the tenth: 0.3, 0.5, 0.8, 1.0, 1.3
    assert entries == [Decimal("0.3"), Decimal("0.2"), Decimal("0.3"), Decimal("0.2"), Decimal("0.3")]
    page = client_as(cast.officer).get(f"/academy/courses/{courses[0].pk}/").content.decode()
    assert "0.25 学时" in page


def test_a_course_the_rules_value_at_nothing_completes_without_a_ledger_entry(cast, settings):
    ConversionRule.objects.filter(code="micro-course").update(active=False)
    course = watch_whole_video_course(cast, settings, 10)
    enrollment = Enrollment.objects.get(course=course)
    assert enrollment.completed_at is not None and enrollment.ledger_entry is None
    assert not LedgerEntry.objects.exists()


def test_the_course_form_leaves_the_hours_to_the_rules_when_blank(cast, client_as):
    client = client_as(cast.officer)
    response = client.post("/academy/courses/new/", {"org": cast.district.pk, "title": "留空学时", "credit_hours": "",
                                                      "year": 2026, "kind": "elective", "complete_share": "0.9"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "按折算规则" in page
    bad = client.post("/academy/courses/new/", {"org": cast.district.pk, "title": "零学时", "credit_hours": "0",
                                                "year": 2026, "kind": "elective", "complete_share": "0.9"})
    assert "课程学时须大于 0 且不超过 200。" in bad.content.decode()
