"""Objects owned by township A (marker 甲镇机密) for the global leak test: one per URL keyword."""

from __future__ import annotations

from decimal import Decimal

from jingpei.academy import quiz, services
from jingpei.academy.models import Lesson, LessonKind
from jingpei.core.models import Job


def make_objects(cast) -> dict[str, object]:
    course = services.create_course(actor=None, org=cast.town_a, title="甲镇机密课程", year=2026,
                                    credit_hours=Decimal("1.0"), description="甲镇机密")
    lesson = Lesson.objects.create(course=course, order=1, title="甲镇机密课节", kind=LessonKind.TEXT,
                                   body="甲镇机密正文", duration_seconds=60)
    play = services.start_lesson(person=cast.person_a, lesson=lesson, session_cookie="cookie-of-a")
    question = quiz.add_question(actor=None, course=course, kind="judge", text="甲镇机密题目", answer="对")
    job = Job.objects.create(name="academy.export", title="甲镇机密导出", created_by=cast.liaison_a,
                             status=Job.Status.DONE, result={"url": "", "label": "甲镇机密"})
    return {"course_id": course, "lesson_id": lesson, "token": play.token, "job_id": job,
            "question_id": question}
