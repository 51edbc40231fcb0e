"""Drawing a questionnaire up: each mistake named by question, nothing half-saved, frozen once open."""

from __future__ import annotations

from datetime import date

import pytest

from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.core.permissions import Role
from jingpei.surveys import services
from jingpei.surveys.models import Question, State, Survey
from jingpei.surveys.presets import QuestionInput
from tests.factories import make_user
from tests.surveys.conftest import needs

pytestmark = pytest.mark.django_db


def _with(cast, questions, **changes):
    return needs(cast, questions=questions, **changes)


@pytest.mark.parametrize(("questions", "message"), [
    ([], "问卷至少要有一道题"),
    ([QuestionInput("", "题目")], "第 1 题：请选择题型"),
    ([QuestionInput("text", "好"), QuestionInput("single", "  ")], "请填写第 2 题的题目"),
    ([QuestionInput("single", "选哪个", ["只有一个", "  "])], "第 1 题：选择题至少要有两个选项"),
    ([QuestionInput("multiple", "选哪些", ["甲", "乙", "甲"])], "第 1 题：选项“甲”重复了"),
    ([QuestionInput("multiple", "选哪些", ["甲", "乙"], max_choices=3)], "“最多选几项”须在 0（不限）到 2 之间"),
    ([QuestionInput("single", "选", ["长" * 51, "乙"])], "超过 50 个字"),
    ([QuestionInput("text", "长" * 201)], "第 1 题的题目不能超过 200 个字"),
])
def test_questions_are_checked_one_by_one(cast, questions, message):
    with pytest.raises(DomainError, match=message):
        _with(cast, questions)
    assert not Survey.objects.exists() and not Question.objects.exists()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": " "}, "title", "请填写问卷名称"),
    ({"year": 2016}, "year", "调研年度只能是 2025—2027 年"),
    ({"closes_on": date(2026, 6, 14)}, "closes_on", "截止日期不能早于今天"),
    ({"intro": "长" * 2001}, "intro", "填写说明不能超过 2000 字"),
])
def test_survey_fields_are_checked(cast, changes, field, message):
    with pytest.raises(DomainError, match=message) as caught:
        needs(cast, **changes)
    assert caught.value.field == field
    assert not Survey.objects.exists()


def test_a_draft_is_edited_whole_and_audited(cast):
    survey = needs(cast)
    data = services.preset_needs(2026)
    data.questions = [QuestionInput("scale", "满意吗"), QuestionInput("single", "选一个", ["甲", "", " 乙 "])]
    services.update_survey(actor=cast.officer, survey=survey, data=data)
    assert [(q.position, q.text, q.choices) for q in survey.questions.order_by("position")] == [
        (1, "满意吗", []), (2, "选一个", ["甲", "乙"])]
    assert AuditLog.objects.filter(action="survey.update", object_id=str(survey.pk)).get().after["questions"] == 2


def test_an_open_survey_is_frozen_and_cannot_be_deleted(cast, survey):
    with pytest.raises(Conflict, match="题目不能再修改"):
        services.update_survey(actor=cast.officer, survey=survey, data=services.preset_needs(2026))
    with pytest.raises(Conflict, match="不能删除"):
        services.delete_survey(actor=cast.officer, survey=survey)
    with pytest.raises(Conflict, match="已在进行中"):
        services.open_survey(actor=cast.officer, survey=survey)
    services.close_survey(actor=cast.officer, survey=survey)
    assert services.open_survey(actor=cast.officer, survey=survey) == 0  # reopened: nobody told twice
    survey.refresh_from_db()
    assert survey.state == State.OPEN


def test_only_the_organisations_officer_runs_it(cast):
    officer_b = make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b)
    with pytest.raises(NotAllowed):
        services.create_survey(actor=officer_b, org=cast.town_a, data=services.preset_needs(2026))
    with pytest.raises(NotAllowed):
        services.create_survey(actor=cast.liaison_a, org=cast.town_a, data=services.preset_needs(2026))
    survey = needs(cast)
    for outsider in (officer_b, cast.liaison_a):
        with pytest.raises(NotAllowed):
            services.open_survey(actor=outsider, survey=survey)
        with pytest.raises(NotAllowed):
            services.delete_survey(actor=outsider, survey=survey)
    services.delete_survey(actor=cast.officer, survey=survey)
    assert not Survey.objects.exists()


def test_a_published_surveys_closing_day_moves_and_brings_a_new_reminder(cast, survey, client_as, time_machine):
    survey.closes_on = date(2026, 6, 20)
    survey.save()
    time_machine.move_to(date(2026, 6, 18))
    assert services.remind_unanswered()["surveys"] == 1
    client = client_as(cast.officer)
    bad = client.post(f"/surveys/{survey.pk}/act/", {"action": "closing_day", "closes_on": "2026-06-01"}, follow=True)
    assert "截止日期不能早于今天" in bad.content.decode()
    client.post(f"/surveys/{survey.pk}/act/", {"action": "closing_day", "closes_on": "2026-07-10"})
    survey.refresh_from_db()
    assert survey.closes_on == date(2026, 7, 10) and survey.reminded_at is None
    assert AuditLog.objects.filter(action="survey.closing_day").count() == 1
    time_machine.move_to(date(2026, 7, 8))
    assert services.remind_unanswered()["surveys"] == 1  # before the new day, once more
    with pytest.raises(NotAllowed):
        services.set_closing_day(actor=cast.liaison_a, survey=survey, closes_on=None)
