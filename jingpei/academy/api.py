"""The academy's JSON API (mounted at /api/v1/academy/). The player's heartbeat is not here: it is a
plain Django view on the hot path (see views.heartbeat and docs/capabilities/academy.md)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Router, Schema

from jingpei.academy import access, queries, quiz
from jingpei.core.apitypes import Year
from jingpei.core.errors import NotAllowed

router = Router(tags=["academy"])


class LessonOut(Schema):
    id: int
    order: int
    title: str
    kind: str
    duration_seconds: int


class CourseOut(Schema):
    id: int
    title: str
    year: int
    kind: str
    recommended: bool
    credit_hours: Decimal
    lecturer: str
    org: str


class TestOut(Schema):
    """The course's test as the caller stands with it (``taken`` etc. only for a learner of the course)."""

    questions: int
    pass_percent: int
    attempts_allowed: int  # 0: no limit
    reward_hours: Decimal  # what a pass earns now
    attempts_used: int | None = None
    best_score: int | None = None
    passed: bool | None = None
    blocker: str | None = None  # why it cannot be taken now; "" when it can


class CourseDetailOut(CourseOut):
    description: str
    topics: list[str]
    lessons: list[LessonOut]
    test: TestOut | None  # None: the course has no test


class CourseProgressOut(Schema):
    course_id: int
    title: str
    watched_seconds: int
    duration_seconds: int
    lessons: int
    lessons_done: int
    completed: bool


class MyStudyOut(Schema):
    month_hours: Decimal
    year_hours: Decimal
    month_target: Decimal
    year_target: Decimal
    watched_seconds: int
    in_progress: list[CourseProgressOut]
    next_courses: list[CourseOut]
    tests_due: list[CourseOut]


def _course(c) -> dict:
    return {"id": c.pk, "title": c.title, "year": c.year, "kind": c.kind, "recommended": c.recommended,
            "credit_hours": c.credit_hours, "lecturer": c.lecturer, "org": c.org.name}


@router.get("/courses", response=list[CourseOut])
def list_courses(request, year: Year | None = None, kind: str | None = None, recommended: bool | None = None):
    qs = access.visible_courses(request.user)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if recommended is not None:
        qs = qs.filter(recommended=recommended)
    return [_course(c) for c in qs.order_by("-year", "kind", "title")[:500]]


@router.get("/courses/{course_id}", response=CourseDetailOut)
def course_detail(request, course_id: int):
    c = access.get_course(request.user, course_id)
    return {**_course(c), "description": c.description, "topics": [t.name for t in c.topics.all()],
            "lessons": list(c.lessons.all()), "test": _test(request.user, c)}


def _test(user, course) -> dict | None:
    questions = course.questions.count()
    if not questions:
        return None
    out = {"questions": questions, "pass_percent": course.pass_percent, "attempts_allowed": course.test_attempts,
           "reward_hours": quiz.reward()}
    person = access.learner_of(user, course.pk)
    if person is not None:
        state = quiz.state_for(person, course)
        out |= {"attempts_used": state.used, "best_score": state.best, "passed": state.passed,
                "blocker": state.blocker}
    return out


@router.get("/my", response=MyStudyOut)
def my_study(request):
    if not request.user.person_id:
        raise NotAllowed(_("您的账号未关联人员信息，没有个人学习记录。"))
    s = queries.my_study(request.user.person)
    return {"month_hours": s.month_hours, "year_hours": s.year_hours, "month_target": s.month_target,
            "year_target": s.year_target, "watched_seconds": s.watched_seconds,
            "in_progress": [{"course_id": p.course.pk, "title": p.course.title, "watched_seconds": p.watched,
                             "duration_seconds": p.duration, "lessons": p.lessons, "lessons_done": p.lessons_done,
                             "completed": p.completed} for p in s.in_progress],
            "next_courses": [_course(c) for c in s.next_courses], "tests_due": [_course(c) for c in s.tests_due]}
