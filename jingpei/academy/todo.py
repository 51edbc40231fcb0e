"""The academy's part of the home page's to-do list: after-course tests the learner may still take."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.academy.models import Course
from jingpei.academy.queries import tests_due
from jingpei.core.todo import Todo


def tests(user):
    if not getattr(user, "person_id", None):
        return
    completed = list(Course.objects.filter(enrollments__person_id=user.person_id,
                                           enrollments__completed_at__isnull=False))
    due = tests_due(user.person, completed) if completed else []
    if due:
        yield Todo(_("%(n)s 门课程的课后测试待完成：%(t)s") % {"n": len(due), "t": _("、").join(c.title for c in due[:3])},
                   reverse("academy:my"), "pencil-square")


TODOS = [tests]
