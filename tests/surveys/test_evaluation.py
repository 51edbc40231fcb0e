"""A class's evaluation: drawn up from its sessions, answered anonymously by its admitted trainees, and
each lecturer's sessions scored."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jingpei.classes import services as class_services
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.surveys import access, queries, services
from jingpei.surveys.models import Kind
from jingpei.surveys.services import AnswerInput
from tests.classes.conftest import enrol
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught(cast, klass):
    """Two sessions, one by a lecturer with an account."""
    teacher_user = make_user("teacher")
    teacher = class_services.create_lecturer(actor=cast.officer, owner_org=cast.district, name="段老师", title="教授")
    teacher.user = teacher_user
    teacher.save(update_fields=["user"])
    start = timezone.now() - timedelta(hours=30)
    first = class_services.add_session(actor=cast.officer, klass=klass, starts_at=start, ends_at=start + timedelta(hours=3),
                                       subject="乡村振兴战略解读", hours=Decimal("3"), lecturer=teacher)
    second = class_services.add_session(actor=cast.officer, klass=klass, starts_at=start + timedelta(hours=5),
                                        ends_at=start + timedelta(hours=8), subject="村集体经济案例", hours=Decimal("3"))
    return teacher_user, teacher, first, second


def test_the_evaluation_follows_the_sessions_and_is_started_once(cast, klass, head, taught):
    _user, _teacher, first, second = taught
    survey = services.start_evaluation(actor=head, klass=klass)
    assert survey.kind == Kind.EVALUATION and survey.anonymous and survey.org == cast.district
    session_questions = list(survey.questions.filter(session__isnull=False).order_by("position"))
    assert [q.session for q in session_questions] == [first, second]
    assert "《乡村振兴战略解读》（段老师）" in session_questions[0].text
    assert services.start_evaluation(actor=cast.officer, klass=klass) == survey  # not a second one
    with pytest.raises(NotAllowed):
        services.start_evaluation(actor=cast.liaison_a, klass=klass)


def test_admitted_trainees_answer_and_lecturers_see_their_scores(cast, klass, head, taught):
    teacher_user, teacher, first, _second = taught
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_b)
    outsider = make_person(cast.branch_a, "未录取")
    survey = services.start_evaluation(actor=head, klass=klass)
    assert services.open_survey(actor=head, survey=survey) == 2  # both have accounts (enrol made them)
    assert not access.answerable(outsider.pk).exists()
    for person, score in ((cast.person_a, 5), (cast.person_b, 4)):
        answers = {q.pk: AnswerInput(score=score) if q.kind == "scale" else AnswerInput() for q in survey.questions.all()}
        services.submit_response(person=person, survey=survey, answers=answers)
    scores = queries.teaching_scores(teacher_user)
    assert [(s.subject, s.mean, s.n) for s in scores] == [("乡村振兴战略解读", Decimal("4.50"), 2)]
    assert queries.lecturer_scores(teacher) == scores and queries.overall(scores) == Decimal("4.50")
    assert queries.teaching_scores(cast.officer) == []


def test_a_cancelled_class_is_not_evaluated(cast, klass, head):
    class_services.cancel_class(actor=cast.officer, klass=klass, reason="疫情")
    klass.refresh_from_db()
    with pytest.raises(DomainError, match="已取消"):
        services.start_evaluation(actor=head, klass=klass)


def test_an_evaluation_keeps_its_sessions_when_edited(cast, klass, head, taught, client_as):
    survey = services.start_evaluation(actor=head, klass=klass)
    data = services.SurveyInput(title=survey.title, year=survey.year, questions=[
        services.QuestionInput("scale", q.text, session_id=q.session_id) for q in survey.questions.order_by("position")])
    services.update_survey(actor=head, survey=survey, data=data)
    assert survey.questions.filter(session__isnull=False).count() == 2
    data.questions[0].session_id = 10**6  # not a session of this class
    with pytest.raises(DomainError, match="第 1 题对应的课次不属于本培训班"):
        services.update_survey(actor=head, survey=survey, data=data)


def test_my_classes_page_leads_to_the_open_evaluation(cast, klass, head, client_as):
    enrol(cast, klass, cast.person_a)
    survey = services.start_evaluation(actor=head, klass=klass)
    client = client_as(cast.trainee)
    assert 'data-testid="evaluate"' not in client.get("/classes/mine/").content.decode()  # a draft: not yet
    services.open_survey(actor=head, survey=survey)
    assert f'href="/surveys/{survey.pk}/answer/" data-testid="evaluate"' in client.get("/classes/mine/").content.decode()
