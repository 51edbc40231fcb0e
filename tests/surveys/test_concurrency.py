"""At the same moment: one person's answers sent twice (a double tap on a slow line) are kept once; two
clicks on 发起评估 make one evaluation."""

from __future__ import annotations

import pytest

from jingpei.surveys import services
from jingpei.surveys.models import Response, Survey
from tests.concurrency import at_once
from tests.surveys.conftest import full_answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_answers_sent_twice_are_kept_once(cast, survey):
    answers = full_answers(survey)
    outcomes = at_once(*[lambda: services.submit_response(person=cast.person_a, survey=survey, answers=answers)] * 2)
    assert outcomes == ["Conflict", "done"]
    assert Response.objects.count() == 1 and Response.objects.get().answers.count() == 8  # 9 questions, one not asked


def test_one_evaluation_per_class(cast, klass, head):
    outcomes = at_once(*[lambda: services.start_evaluation(actor=head, klass=klass)] * 2)
    assert outcomes == ["done", "done"]  # the second finds the first
    assert Survey.objects.filter(klass=klass).count() == 1
