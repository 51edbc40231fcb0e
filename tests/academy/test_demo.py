from __future__ import annotations

from django.core.management import call_command

from jingpei.academy.models import Course, Lesson, Question


def test_build_academy_demo_makes_playable_courses_once(cast):
    call_command("build_academy_demo")
    courses = Course.objects.filter(org=cast.district)
    assert courses.count() == 4 and courses.filter(kind="mandatory", recommended=True).count() == 2
    videos = Lesson.objects.filter(kind="video")
    assert sorted(v.duration_seconds for v in videos) == [15, 20, 30, 45, 60]
    assert all(v.media.size < 2_000_000 and v.content_type == "video/mp4" for v in videos)
    assert Lesson.objects.filter(kind="document", content_type="application/pdf").count() == 1
    assert Question.objects.count() == 5 and Question.objects.filter(course__title="基层干部能力提升").count() == 2
    call_command("build_academy_demo")  # a second run adds nothing
    assert Course.objects.count() == 4 and Question.objects.count() == 5
