"""Courses for the academy tests, built through the services."""

from __future__ import annotations

from decimal import Decimal

from jingpei.academy import services
from jingpei.academy.models import Lesson, LessonKind

COOKIE = "session-cookie-of-the-learner"


def make_course(org, title="乡村振兴政策解读", *, seconds=(120,), year=2026, kind="mandatory", hours="2.0",
                share="0.90", **kw):
    """A course whose video lessons have the given durations (no file: heartbeats need only the length)."""
    course = services.create_course(actor=None, org=org, title=title, year=year, credit_hours=Decimal(hours),
                                    kind=kind, complete_share=Decimal(share), lecturer="张教授", **kw)
    for i, length in enumerate(seconds, start=1):
        Lesson.objects.create(course=course, order=i, title=f"{title} 第{i}讲", kind=LessonKind.VIDEO,
                              content_type="video/mp4", duration_seconds=length)
    return course
