"""Fetch-and-authorise for the academy.

A learner sees the published courses of the organisations above (and at) their memberships, limited to
the course's audience categories when it names any. Staff see, through ``ACADEMY_VIEW``, the courses of
their subtree and those offered to it from above; they change (``ACADEMY_MANAGE``) only courses owned
inside their subtree. Progress figures are always limited to the people of the user's scope.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from jingpei.academy.models import Course, Lesson, course_visible_q
from jingpei.core.errors import NotAllowed
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.access import visible_people
from jingpei.orgs.models import Membership, PersonCategory


def _person(user):
    return getattr(user, "person", None) if getattr(user, "person_id", None) else None


def learner_courses_q(person) -> Q:
    paths = list(Membership.objects.filter(person=person).values_list("org__path", flat=True))
    if not paths:
        return Q(pk__in=[])
    in_audience = Exists(PersonCategory.objects.filter(
        person=person, category__courses=OuterRef("pk"), year=OuterRef("year")))
    no_audience = ~Exists(Course.audience.through.objects.filter(course=OuterRef("pk")))
    return course_visible_q(paths) & Q(published=True) & (no_audience | in_audience)


def studies(person, course_id) -> bool:
    """Whether ``person`` (None: no person) may study the course, not merely see it as staff."""
    return person is not None and learner_courses(person).filter(pk=course_id).exists()


def learner_of(user, course_id):
    """The user's person when they may study the course; else None."""
    person = _person(user)
    return person if studies(person, course_id) else None


def learner_courses(person):
    if person is None:
        return Course.objects.none()
    return Course.objects.filter(learner_courses_q(person))


def staff_courses_q(user, perm: str = Perm.ACADEMY_VIEW) -> Q:
    scope = scope_for(user, perm)
    if scope.empty:
        return Q(pk__in=[])
    return scope.q("org__path") | course_visible_q(list(scope.prefixes))


def visible_courses(user):
    """Every course the user may open: as a learner or as staff."""
    q = staff_courses_q(user)
    person = _person(user)
    if person is not None:
        q |= learner_courses_q(person)
    return Course.objects.filter(q).select_related("org").distinct()


def can_manage(user, course: Course) -> bool:
    return scope_for(user, Perm.ACADEMY_MANAGE).covers(course.org.path)


def get_course(user, course_id, *, write: bool = False) -> Course:
    try:
        course = visible_courses(user).get(pk=int(course_id))
    except (Course.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if write and not can_manage(user, course):
        raise NotAllowed(_("您没有管理该课程的权限。"))
    return course


def get_lesson(user, lesson_id, *, write: bool = False) -> Lesson:
    try:
        lesson = Lesson.objects.select_related("course").get(pk=int(lesson_id))
    except (Lesson.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    lesson.course = get_course(user, lesson.course_id, write=write)
    return lesson


def get_learnable_lesson(user, lesson_id) -> Lesson:
    """A lesson the user may study (not merely see as staff)."""
    person = _person(user)
    try:
        lesson = Lesson.objects.select_related("course").get(pk=int(lesson_id))
    except (Lesson.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not studies(person, lesson.course_id):
        if get_course(user, lesson.course_id):  # visible to staff, but they do not study it
            raise NotAllowed(_("该课程不面向您，不能学习计时。"))
    return lesson


def stats_people(user):
    """The people whose study figures the user may read."""
    return visible_people(user, Perm.ACADEMY_VIEW)
