"""The pages: the officer draws a survey up and opens it, a trainee answers on the page (a slip first),
the results; the class's evaluation from its page; the lecturer's scores; who is turned away."""

from __future__ import annotations

import re

import pytest

from jingpei.core.permissions import Role
from jingpei.surveys import services
from jingpei.surveys.models import Response, State, Survey
from tests.factories import make_user
from tests.surveys.conftest import full_answers, needs

pytestmark = pytest.mark.django_db


def _form_data(org, questions, **fields):
    data = {"title": "2026 年需求调查", "year": "2026", "org": str(org.pk), "intro": "", "closes_on": "",
            "questions-TOTAL_FORMS": str(len(questions)), "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "60"}
    for n, q in enumerate(questions):
        for key, value in q.items():
            data[f"questions-{n}-{key}"] = value
    data.update(fields)
    return data


def test_the_new_form_starts_from_the_preset(cast, client_as):
    page = client_as(cast.officer).get("/surveys/new/").content.decode()
    assert "您最希望参加哪些专题的培训？" in page and "农村电子商务" in page


def test_a_form_with_mistakes_shows_each_and_saves_nothing(cast, client_as):
    client = client_as(cast.officer)
    resp = client.post("/surveys/new/", _form_data(cast.district, [
        {"kind": "single", "text": "选一个", "choices": "只有一个"},
        {"kind": "", "text": "没选题型"},
        {"kind": "text", "text": ""},
    ], year="2016"))
    page = resp.content.decode()
    assert resp.status_code == 200
    for message in ("选择题至少要有两个选项，每行一个。", "请选择", "此项必须填写。", "调研年度只能是 2025—2027 年"):
        assert message in page, message
    assert not Survey.objects.exists()


def test_officer_draws_up_opens_and_reads_results(cast, client_as):
    client = client_as(cast.officer)
    resp = client.post("/surveys/new/", _form_data(cast.district, [
        {"kind": "multiple", "text": "想学什么", "choices": "电商\n党建\n其他", "max_choices": "2", "required": "on",
         "topics": "on"},
        {"kind": "scale", "text": "满意吗", "required": "on"},
    ]))
    survey = Survey.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/surveys/{survey.pk}/"
    assert client.post(f"/surveys/{survey.pk}/act/", {"action": "open"}).status_code == 302
    survey.refresh_from_db()
    assert survey.state == State.OPEN
    assert client.get(f"/surveys/{survey.pk}/edit/").status_code == 302  # frozen: back to its page

    trainee = client_as(cast.trainee)
    assert "1 份待填" in trainee.get("/").content.decode()  # the top bar's count
    first, second = survey.questions.order_by("position")
    slip = trainee.post(f"/surveys/{survey.pk}/answer/", {f"q{first.pk}": ["0", "1", "2"]})
    page = slip.content.decode()
    assert slip.status_code == 200 and "最多选 2 项，您选了 3 项。" in page and "请打分（1–5 分）。" in page
    assert re.search(rf'id="q{first.pk}-2"\s+checked', page)  # what was ticked stays ticked
    assert not Response.objects.exists()
    done = trainee.post(f"/surveys/{survey.pk}/answer/", {f"q{first.pk}": ["0", "2"], f"q{first.pk}-other": "直播",
                                                          f"q{second.pk}": "5"})
    assert done.status_code == 302 and Response.objects.get().answers.count() == 2
    assert "您已于" in trainee.get(f"/surveys/{survey.pk}/answer/").content.decode()
    again = trainee.post(f"/surveys/{survey.pk}/answer/", {f"q{first.pk}": ["1"], f"q{second.pk}": "1"})
    assert again.status_code == 200 and Response.objects.count() == 1  # the page shows the first answers

    client = client_as(cast.officer)  # the one test client, logged in again
    results = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "直播" in results and "按此专题开班" in results and "/classes/new/?topics=%E7%94%B5%E5%95%86" in results
    assert "topics=%E5%85%B6%E4%BB%96" not in results  # not a class on "其他"
    assert "电商" in client.get("/classes/new/?topics=电商").content.decode()


def test_people_outside_are_turned_away(cast, client_as, survey):
    officer_b = make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b)
    for user in (officer_b, cast.liaison_a, cast.trainee):
        client = client_as(user)
        for path in (f"/surveys/{survey.pk}/", f"/surveys/{survey.pk}/results/", f"/surveys/{survey.pk}/export/",
                     f"/surveys/{survey.pk}/edit/"):
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(f"/surveys/{survey.pk}/act/", {"action": "close"}).status_code == 404
    assert client_as(cast.liaison_a).get("/surveys/").status_code == 404
    assert client_as(cast.liaison_a).get("/surveys/teaching/").status_code == 404
    own = needs(cast, org=cast.town_b)
    services.open_survey(actor=cast.officer, survey=own)
    assert client_as(cast.trainee).get(f"/surveys/{own.pk}/answer/").status_code == 404  # township B's


def test_the_class_page_starts_the_evaluation(cast, client_as, klass, head):
    client = client_as(head)
    page = client.get(f"/classes/{klass.pk}/?tab=info").content.decode()
    assert "发起评估" in page
    resp = client.post(f"/surveys/classes/{klass.pk}/evaluation/")
    survey = Survey.objects.get(klass=klass)
    assert resp["Location"] == f"/surveys/{survey.pk}/"
    assert "查看评估" in client.get(f"/classes/{klass.pk}/?tab=info").content.decode()
    listed = client.get("/surveys/?year=2026").content.decode()  # the head's 培训评估 menu item
    assert survey.title in listed and "需求调查问卷" not in listed
    assert client_as(cast.liaison_a).post(f"/surveys/classes/{klass.pk}/evaluation/").status_code in (403, 404)
    assert Survey.objects.count() == 1


def test_the_home_page_counts_the_answers_of_open_surveys(cast, client_as, survey):
    services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey))
    page = client_as(cast.officer).get("/").content.decode()
    assert "问卷调研" in page and "已收 1 份" in page
    assert "已收 1 份" not in client_as(cast.liaison_a).get("/").content.decode()


def test_a_draft_is_edited_on_its_page_and_keeps_its_organisation(cast, client_as):
    survey = needs(cast, org=cast.town_a)
    client = client_as(cast.officer)
    page = client.get(f"/surveys/{survey.pk}/edit/").content.decode()
    assert "老窝镇" in page and 'name="org"' not in page
    resp = client.post(f"/surveys/{survey.pk}/edit/", _form_data(cast.district, [
        {"kind": "scale", "text": "满意吗", "required": "on"}], title="改过的问卷"))
    assert resp.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.org, survey.questions.count()) == ("改过的问卷", cast.town_a, 1)


def test_a_new_survey_starts_from_an_earlier_one(cast, client_as, survey):
    data = services.preset_needs(2026)
    data.questions = [services.QuestionInput("single", "去年的题", ["甲", "乙"])]
    earlier = services.create_survey(actor=cast.officer, org=cast.town_a, data=data)
    client = client_as(cast.officer)
    page = client.get(f"/surveys/new/?from={earlier.pk}").content.decode()
    assert "去年的题" in page and "您最希望参加哪些专题的培训" not in page
    officer_b = make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b)
    assert client_as(officer_b).get(f"/surveys/new/?from={earlier.pk}").status_code == 404  # not theirs to copy


def test_a_paper_questionnaire_is_typed_in_for_someone_without_an_account(cast, client_as, survey):
    from jingpei.core.errors import NotAllowed
    from jingpei.core.models import AuditLog
    from jingpei.surveys.services import AnswerInput

    client = client_as(cast.officer)
    found = client.get(f"/surveys/{survey.pk}/enter/?q=李芳").content.decode()
    assert f'href="?person={cast.person_a2.pk}"' in found
    first = survey.questions.get(position=1)
    slip = client.post(f"/surveys/{survey.pk}/enter/", {"person": cast.person_a2.pk, f"q{first.pk}": ["0"]})
    assert slip.status_code == 200 and "请打分（1–5 分）。" in slip.content.decode() and not Response.objects.exists()
    data = {"person": cast.person_a2.pk}
    for q in survey.questions.all():
        data[f"q{q.pk}"] = "4" if q.kind == "scale" else "纸质问卷" if q.kind == "text" else "0"
    assert client.post(f"/surveys/{survey.pk}/enter/", data).status_code == 302
    response = Response.objects.get()
    assert (response.person, response.entered_by) == (cast.person_a2, cast.officer)
    assert AuditLog.objects.filter(action="survey.response.enter", actor=cast.officer).count() == 1
    assert f"?person={cast.person_a2.pk}" not in client.get(f"/surveys/{survey.pk}/enter/?q=李芳").content.decode()
    again = client.post(f"/surveys/{survey.pk}/enter/", data, follow=True)
    assert "此人已提交过这份问卷" in again.content.decode() and Response.objects.count() == 1
    with pytest.raises(NotAllowed):  # a liaison runs no survey
        services.submit_response(person=cast.person_a, survey=survey, entered_by=cast.liaison_a,
                                 answers={q.pk: AnswerInput(score=4) for q in survey.questions.all()})
    officer_b = make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b)
    assert client_as(officer_b).get(f"/surveys/{survey.pk}/enter/?q=王").status_code == 404


def test_a_tampered_organisation_is_refused_and_not_named(cast, client_as):
    officer_b = make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b)
    resp = client_as(officer_b).post("/surveys/new/", _form_data(cast.town_a, [{"kind": "scale", "text": "满意吗"}]))
    page = resp.content.decode()
    assert "请从搜索结果中点选您有需求调研权限的单位" in page and "老窝镇" not in page
    assert not Survey.objects.exists()
