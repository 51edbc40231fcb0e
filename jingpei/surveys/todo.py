"""The surveys' part of the home page's to-do list: questionnaires waiting for this person's answers."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.core.todo import Todo
from jingpei.surveys import access


def to_answer_count(user) -> int:
    return access.answerable(getattr(user, "person_id", None)).count() if getattr(user, "person_id", None) else 0


def to_answer(user):
    n = to_answer_count(user)
    if n:
        yield Todo(_("%(n)s 份问卷待您填写") % {"n": n}, reverse("surveys:mine"), "ui-checks", order=15)


TODOS = [to_answer]
