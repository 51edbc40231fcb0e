"""The surveys' cast on top of the shared one: the district's needs survey, drawn up from the preset and
open to the whole district (王小明 of township A has an account, the ``trainee``)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from jingpei.surveys import services
from jingpei.surveys.models import Survey
from tests.classes.conftest import head, klass  # noqa: F401  (the classes' fixtures, for evaluations)

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 6, 15), tick=False):
        yield


def needs(cast, org=None, **changes) -> Survey:
    data = services.preset_needs(2026)
    for key, value in changes.items():
        setattr(data, key, value)
    return services.create_survey(actor=cast.officer, org=org or cast.district, data=data)


@pytest.fixture
def survey(cast) -> Survey:
    survey = needs(cast)
    services.open_survey(actor=cast.officer, survey=survey)
    survey.refresh_from_db()
    return survey


def full_answers(survey: Survey, **by_position) -> dict[int, services.AnswerInput]:
    """A right answer to every question; ``by_position`` (``q1=AnswerInput(...)``) replaces some."""
    answers = {}
    for q in survey.questions.order_by("position"):
        given = by_position.get(f"q{q.position}")
        if given is None:
            given = (services.AnswerInput(score=4) if q.kind == "scale" else
                     services.AnswerInput(text="希望多安排现场教学") if q.kind == "text" else
                     services.AnswerInput(choices=[0]))
        answers[q.pk] = given
    return answers
