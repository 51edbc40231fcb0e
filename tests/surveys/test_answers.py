"""Answering a survey: who may, once only, all answers or none, and each wrong answer named."""

from __future__ import annotations

import io
from datetime import date

import pytest

from jingpei.core.errors import Conflict, DomainError
from jingpei.ledger.models import Notification
from jingpei.surveys import access, services
from jingpei.surveys.models import Answer, Response
from jingpei.surveys.services import AnswerInput
from tests.factories import make_person, make_user
from tests.surveys.conftest import full_answers, needs

pytestmark = pytest.mark.django_db


def test_opening_tells_the_audience_and_the_person_answers_once(cast, survey):
    assert Notification.objects.filter(user=cast.trainee, url=survey.get_answer_url()).count() == 1
    assert list(access.answerable(cast.person_a.pk)) == [survey]
    response = services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey))
    # 9 questions; the 8th is asked only of those who took no online course (the 6th answered 参加过)
    assert response.org == cast.branch_a and response.answers.count() == 8
    assert not access.answerable(cast.person_a.pk).exists()
    with pytest.raises(Conflict, match="您已经提交过这份问卷"):
        services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey))
    assert Response.objects.count() == 1


def test_every_wrong_answer_is_named_and_nothing_is_kept(cast, survey):
    topics, forms, length, season, scale, _online, _problems, _reasons, text = survey.questions.order_by("position")
    answers = full_answers(survey, q1=AnswerInput(choices=[0, 1, 2, 3]),  # at most 3
                           q2=AnswerInput(choices=[5]),  # 其他, not spelt out
                           q3=AnswerInput(choices=[]),  # required
                           q4=AnswerInput(choices=[9]),  # no such choice (a stale page)
                           q5=AnswerInput(score=7), q9=AnswerInput(text="长" * 1001),
                           q8=AnswerInput(choices=[99]))  # not asked (the 6th said 参加过): not checked either
    with pytest.raises(services.Unanswered) as caught:
        services.submit_response(person=cast.person_a, survey=survey, answers=answers)
    assert caught.value.errors == {
        topics.pk: "最多选 3 项，您选了 4 项。", forms.pk: "选了“其他”，请写明是什么。", length.pk: "请选择一项。",
        season.pk: "选项已变化，请刷新页面后重新选择。", scale.pk: "分数须是 1–5 分。",
        text.pk: "不能超过 1000 个字（现有 1001 个）。"}
    assert "有 6 道题需要补充或修改" in caught.value.message
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_optional_question_may_be_skipped_and_other_is_kept(cast, survey):
    text = survey.questions.get(position=9)
    answers = full_answers(survey, q2=AnswerInput(choices=[0, 5], other="  直播 带货 "))
    answers[text.pk] = AnswerInput(text="   ")
    response = services.submit_response(person=cast.person_a, survey=survey, answers=answers)
    assert response.answers.count() == 7
    assert response.answers.get(question__position=2).other == "直播 带货"


def test_single_choice_takes_one(cast, survey):
    with pytest.raises(services.Unanswered) as caught:
        services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey, q3=AnswerInput(choices=[0, 1])))
    assert list(caught.value.errors.values()) == ["只能选一项。"]


def test_only_the_audience_answers_and_only_while_open(cast, survey, time_machine):
    own = needs(cast, org=cast.town_b)
    services.open_survey(actor=cast.officer, survey=own)
    assert not access.answerable(cast.person_a.pk).filter(pk=own.pk).exists()  # township B's survey
    with pytest.raises(DomainError, match="已结束或不面向您"):
        services.submit_response(person=cast.person_a, survey=own, answers=full_answers(own))
    services.close_survey(actor=cast.officer, survey=survey)
    with pytest.raises(DomainError, match="已结束或不面向您"):
        services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey))
    assert not Response.objects.exists()


def test_a_closing_day_ends_answering(cast, time_machine):
    survey = needs(cast, closes_on=date(2026, 6, 20))
    services.open_survey(actor=cast.officer, survey=survey)
    assert access.answerable(cast.person_a.pk).exists()
    time_machine.move_to(date(2026, 6, 21))
    assert not access.answerable(cast.person_a.pk).exists()
    with pytest.raises(DomainError):
        services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey))


def test_categories_narrow_the_audience(cast):
    from jingpei.orgs.models import Category, PersonCategory

    first_secretary = Category.objects.create(code="first_secretary_t", name="驻村第一书记（测）")
    PersonCategory.objects.create(person=cast.person_a2, category=first_secretary, year=2026)
    PersonCategory.objects.create(person=cast.person_b, category=first_secretary, year=2025)  # last year's only
    survey = needs(cast, categories=[first_secretary])
    told = services.open_survey(actor=cast.officer, survey=survey)
    assert told == 0  # 李芳 has no account
    assert access.answerable(cast.person_a2.pk).exists()
    assert not access.answerable(cast.person_a.pk).exists() and not access.answerable(cast.person_b.pk).exists()
    from jingpei.surveys import audience

    assert list(audience.people(survey)) == [cast.person_a2]


def test_a_person_of_a_unit_elsewhere_is_not_asked(cast, survey):
    elsewhere = make_person(cast.town_b, "周外镇")
    assert list(access.answerable(elsewhere.pk)) == [survey]  # the district's survey reaches township B
    user = make_user("zhou", person=elsewhere)
    assert access.get_for_answer(user, survey.pk) == survey


def test_who_has_not_answered_is_reminded_once_before_the_closing_day(cast, time_machine):
    from django.core.management import call_command

    other = make_user("lifang", person=cast.person_a2)
    survey = needs(cast, closes_on=date(2026, 6, 25))
    services.open_survey(actor=cast.officer, survey=survey)
    services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey))
    assert services.remind_unanswered() == {"surveys": 0, "people": 0}  # ten days ahead: not yet
    time_machine.move_to(date(2026, 6, 22))
    assert services.remind_unanswered() == {"surveys": 1, "people": 1}
    reminder = Notification.objects.get(title__startswith="问卷即将截止")
    assert reminder.user == other and reminder.url == survey.get_answer_url() and "2026-06-25" in reminder.body
    call_command("survey_reminders", stdout=io.StringIO())  # the cron's way: nothing twice
    assert Notification.objects.filter(title__startswith="问卷即将截止").count() == 1


def test_the_reminder_job_is_on_the_calendar():
    from jingpei.core import schedule
    from jingpei.core.jobs import _registry

    assert "surveys.reminders" in {s.job_name for s in schedule.schedules()} and "surveys.reminders" in _registry
