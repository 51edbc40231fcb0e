"""A survey's results: the figures of each question, coverage by township, the Excel export, and that
the page costs the same number of queries however many answered."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jingpei.surveys import exports, queries, services
from jingpei.surveys.services import AnswerInput
from tests.factories import make_person
from tests.surveys.conftest import full_answers, needs

pytestmark = pytest.mark.django_db


def _answer(survey, person, **by_position):
    return services.submit_response(person=person, survey=survey, answers=full_answers(survey, **by_position))


def test_figures_of_each_question(cast, survey):
    _answer(survey, cast.person_a, q1=AnswerInput(choices=[1, 4]), q5=AnswerInput(score=5))
    _answer(survey, cast.person_a2, q1=AnswerInput(choices=[4]), q5=AnswerInput(score=4),
            q9=AnswerInput(text="想学直播带货"))
    _answer(survey, cast.person_b, q1=AnswerInput(choices=[4, 8], other="乡村旅游"), q5=AnswerInput(score=4),
            q6=AnswerInput(choices=[1]), q8=AnswerInput(choices=[1, 2]))  # took no online course: asked why
    r = queries.results(survey)
    assert (r.audience, r.responses, r.rate) == (3, 3, Decimal("100.0"))
    topics, _forms, _length, _season, scale, online, problems, reasons, text = r.questions
    assert [t.count for t in online.tallies] == [2, 1] and online.condition == ""
    assert problems.answered == 2 and problems.condition == "第 6 题选“参加过”时作答"
    assert reasons.answered == 1 and {t.label: t.count for t in reasons.tallies if t.count} == {"没有账号": 1, "工作忙，没有时间": 1}
    assert [(t.label, t.count, t.percent) for t in topics.tallies[:3]] == [
        ("农村电子商务", 3, Decimal("100.0")), ("扶贫产业发展", 1, Decimal("33.3")), ("其他", 1, Decimal("33.3"))]
    assert topics.others == [("乡村旅游", 1)] and topics.texts == []
    assert scale.mean == Decimal("4.33") and [t.count for t in scale.tallies] == [1, 2, 0, 0, 0]
    assert text.answered == 3 and text.texts[0] == "希望多安排现场教学"
    assert [(row.org.name, row.audience, row.responses) for row in r.by_org] == [("老窝镇", 2, 2), ("万金镇", 1, 1)]


def test_results_page_costs_the_same_however_many_answer(cast, survey, client_as, django_assert_max_num_queries):
    client = client_as(cast.officer)
    _answer(survey, cast.person_a)
    with django_assert_max_num_queries(40) as few:
        assert client.get(f"/surveys/{survey.pk}/results/").status_code == 200
    for n in range(12):
        _answer(survey, make_person(cast.branch_b, "乙" + "甲乙丙丁戊己庚辛壬癸子丑"[n]), q9=AnswerInput(text=f"建议{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/surveys/{survey.pk}/results/").status_code == 200


def _rows(data: bytes, sheet: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data), read_only=True)[sheet].iter_rows(values_only=True))


def test_export_names_people_only_when_not_anonymous(cast):
    named = needs(cast)
    services.open_survey(actor=cast.officer, survey=named)
    _answer(named, cast.person_a, q2=AnswerInput(choices=[0, 5], other="直播"))
    rows = _rows(exports.survey_workbook(named, queries.results(named)), "答卷")
    assert rows[0][:3] == ("姓名", "所在组织", "提交时间")
    assert rows[1][0] == "王小明" and rows[1][4] == "集中专题培训班；其他（直播）" and rows[1][7] == 4
    anonymous = needs(cast, anonymous=True, title="匿名问卷")
    services.open_survey(actor=cast.officer, survey=anonymous)
    _answer(anonymous, cast.person_a)
    data = exports.survey_workbook(anonymous, queries.results(anonymous))
    assert _rows(data, "答卷")[0][0] == "提交时间"
    assert "王小明" not in str(_rows(data, "答卷")) and "朱集村" not in str(_rows(data, "答卷"))
    stats = _rows(data, "统计")
    assert stats[1] == ("应填人数", 3, "已填人数", 1, "填写率（%）", 33.3)


def test_the_export_page_answers_with_a_workbook(cast, survey, client_as):
    _answer(survey, cast.person_a)
    resp = client_as(cast.officer).get(f"/surveys/{survey.pk}/export/")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _rows(resp.content, "答卷")[1][0] == "王小明"


def test_the_api_gives_the_same_figures_to_who_runs_the_survey_only(cast, survey, client_as):
    _answer(survey, cast.person_a, q5=AnswerInput(score=5))
    officer = client_as(cast.officer)
    listed = officer.get("/api/v1/surveys/?year=2026").json()
    assert [(s["title"], s["responses"], s["state"]) for s in listed] == [(survey.title, 1, "open")]
    results = officer.get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert results["responses"] == 1 and results["questions"][4]["mean"] == "5.00"
    assert results["by_org"][0] == {"org_id": cast.town_a.pk, "org_name": "老窝镇", "audience": 2, "responses": 1,
                                    "rate": "50.0"}
    liaison = client_as(cast.liaison_a)
    assert liaison.get(f"/api/v1/surveys/{survey.pk}/results").status_code == 404
    assert liaison.get("/api/v1/surveys/").json() == []
    trainee = client_as(cast.trainee)
    assert trainee.get("/api/v1/surveys/mine").json() == []  # answered already
    assert client_as(cast.liaison_b).get("/api/v1/surveys/mine").json() == []


def test_the_year_report_counts_surveys_notes_and_evaluation_scores(cast, survey, klass, head):
    from jingpei.reports.figures import year_figures
    from tests.classes.conftest import enrol

    _answer(survey, cast.person_a)
    services.save_note(actor=cast.officer, org=cast.town_a, data=services.NoteInput(
        method="forum", held_on=survey.created_at.date(), summary="座谈", needs="电商"))
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_b)
    evaluation = services.start_evaluation(actor=head, klass=klass)
    services.open_survey(actor=head, survey=evaluation)
    for person, score in ((cast.person_a, 5), (cast.person_b, 3)):
        services.submit_response(person=person, survey=evaluation, answers={
            q.pk: AnswerInput(score=score) for q in evaluation.questions.filter(kind="scale")})
    rows = {r[0]: r[1] for t in year_figures(cast.district, 2026).tables if t.title == "需求调研与培训评估" for r in t.rows}
    assert rows == {"需求调查问卷": 1, "收回问卷": 1, "走访、座谈等调研记录": 1, "开展评估的培训班": 1, "评估答卷": 2,
                    "评估平均分（5 分制）": 4.0, "满意率（4–5 分占比）": "50.0%"}
    township = {r[0]: r[1] for t in year_figures(cast.town_b, 2026).tables if t.title == "需求调研与培训评估" for r in t.rows}
    assert township == {}  # township B ran no survey, kept no note and organised no class


def test_the_annual_plan_shows_what_the_needs_survey_found(cast, survey, client_as):
    from jingpei.classes import services as class_services

    _answer(survey, cast.person_a, q1=AnswerInput(choices=[4, 1]))
    _answer(survey, cast.person_b, q1=AnswerInput(choices=[4, 8], other="乡村旅游"))
    services.save_note(actor=cast.officer, org=cast.town_a, data=services.NoteInput(
        method="visit", held_on=survey.created_at.date(), summary="走访", needs="电商、党建"))
    assert queries.topic_ranking([survey]) == [("农村电子商务", 2), ("扶贫产业发展", 1)]  # 其他 names no topic
    plan = class_services.create_plan(actor=cast.officer, org=cast.district, year=2026, title="2026 年培训计划",
                                      total_target=100)
    page = client_as(cast.officer).get(f"/classes/plans/{plan.pk}/").content.decode()
    assert 'data-testid="plan-findings"' in page and "农村电子商务" in page and "电商 · 1" in page
    assert "/classes/new/?topics=%E5%86%9C%E6%9D%91%E7%94%B5%E5%AD%90%E5%95%86%E5%8A%A1" in page
    other_year = class_services.create_plan(actor=cast.officer, org=cast.district, year=2027, title="2027 年培训计划",
                                            total_target=100)
    assert 'data-testid="plan-findings"' not in client_as(cast.officer).get(f"/classes/plans/{other_year.pk}/").content.decode()
