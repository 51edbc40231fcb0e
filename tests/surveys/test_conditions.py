"""Display conditions (显示条件, skip logic): a question asked only of those who picked certain choices of an
earlier choice question. Checked when drawn up (and named by question); answers to a question not asked are
neither required nor kept, down a chain of conditions; the editor names the question by its row, so deleting
a row above keeps the condition on the right question; the sheet, the results and the API say the condition."""

from __future__ import annotations

import re

import pytest

from jingpei.core.errors import DomainError
from jingpei.surveys import services
from jingpei.surveys.models import Question, Survey
from jingpei.surveys.services import AnswerInput, QuestionInput, ShownIf
from tests.surveys.conftest import full_answers, needs
from tests.surveys.test_views import _form_data

pytestmark = pytest.mark.django_db
YES_NO = ["是", "否"]


def _draw(cast, questions) -> Survey:
    return needs(cast, questions=questions)


def test_the_preset_asks_why_only_of_those_who_did_not_study_online(cast):
    survey = needs(cast)
    stored = {q.position: q.shown_if for q in survey.questions.all()}
    assert stored[7] == {"q": 6, "choices": [0]} and stored[8] == {"q": 6, "choices": [1]}
    assert [p for p, c in stored.items() if c] == [7, 8]


@pytest.mark.parametrize(("condition", "message"), [
    (ShownIf(3, ("是",)), "第 2 题的显示条件：第 3 题不在这道题前面"),
    (ShownIf(2, ("是",)), "第 2 题的显示条件：第 2 题不在这道题前面"),
    (ShownIf(0, ("是",)), "第 2 题的显示条件：请填写是第几题的回答决定这道题是否显示"),
    (ShownIf(1, ("也许",)), "第 2 题的显示条件：第 1 题没有“也许”这个选项（可填选项原文或序号 1–2）"),
    (ShownIf(1, ("3",)), "第 2 题的显示条件：第 1 题没有“3”这个选项"),
    (ShownIf(1, (" ", "")), "第 2 题的显示条件：请填写第 1 题选了哪些选项时显示这道题"),
])
def test_a_condition_is_checked_and_named(cast, condition, message):
    with pytest.raises(DomainError, match=message):
        _draw(cast, [QuestionInput("single", "去过吗", YES_NO), QuestionInput("text", "说说", shown_if=condition),
                     QuestionInput("single", "第三题", YES_NO)])
    assert not Survey.objects.exists()


def test_only_a_choice_question_can_decide(cast):
    with pytest.raises(DomainError, match="第 2 题的显示条件：第 1 题不是选择题"):
        _draw(cast, [QuestionInput("scale", "满意吗"), QuestionInput("text", "为什么", shown_if=ShownIf(1, ("1",)))])


def test_choices_are_named_by_text_or_number_once_each(cast):
    survey = _draw(cast, [QuestionInput("multiple", "去过哪里", ["梁家河", "袁家村", "其他"]),
                          QuestionInput("text", "收获", shown_if=ShownIf(1, ("袁家村", "1", "  梁家河 ", "３")))])
    assert survey.questions.get(position=2).shown_if == {"q": 1, "choices": [0, 1, 2]}  # a full-width ３ is 3
    with pytest.raises(DomainError, match="第 1 题没有“①”这个选项"):
        _draw(cast, [QuestionInput("multiple", "去过哪里", ["梁家河", "袁家村"]),
                     QuestionInput("text", "收获", shown_if=ShownIf(1, ("①",)))])


def test_a_survey_started_from_an_earlier_one_keeps_its_conditions(cast, client_as):
    earlier = needs(cast)
    page = client_as(cast.officer).get(f"/surveys/new/?from={earlier.pk}").content.decode()
    rows = page.split('data-testid="question-row"')[1:]
    assert '<option value="5" selected>第 6 题</option>' in rows[6] and 'value="没有参加"' in rows[7]


@pytest.fixture
def chain(cast) -> Survey:
    """1 去过吗 (是/否) → 2 去了几次, if 是 → 3 哪次最好, if 2 was 多次; 4 always."""
    survey = _draw(cast, [
        QuestionInput("single", "去过梁家河吗", YES_NO),
        QuestionInput("single", "去了几次", ["一次", "多次"], shown_if=ShownIf(1, ("是",))),
        QuestionInput("text", "哪一次收获最大", shown_if=ShownIf(2, ("多次",))),
        QuestionInput("scale", "总体满意度"),
    ])
    services.open_survey(actor=cast.officer, survey=survey)
    return survey


def _ids(survey) -> list[int]:
    return list(survey.questions.order_by("position").values_list("pk", flat=True))


def test_a_question_not_asked_is_not_required_and_its_answer_not_kept(cast, chain):
    went, times, best, score = _ids(chain)
    # 否: neither follow-up is asked; what the page still sent for them is dropped, wrong or not
    response = services.submit_response(person=cast.person_a, survey=chain, answers={
        went: AnswerInput(choices=[1]), times: AnswerInput(choices=[7]), best: AnswerInput(text="不该留下"),
        score: AnswerInput(score=4)})
    assert sorted(response.answers.values_list("question__position", flat=True)) == [1, 4]


def test_a_question_asked_is_required_down_the_chain(cast, chain):
    went, times, best, score = _ids(chain)
    with pytest.raises(services.Unanswered) as caught:
        services.submit_response(person=cast.person_a, survey=chain, answers={
            went: AnswerInput(choices=[0]), score: AnswerInput(score=4)})
    assert caught.value.errors == {times: "请选择一项。"}  # 3 depends on 2, which was not answered
    with pytest.raises(services.Unanswered) as caught:
        services.submit_response(person=cast.person_a, survey=chain, answers={
            went: AnswerInput(choices=[0]), times: AnswerInput(choices=[1]), score: AnswerInput(score=4)})
    assert caught.value.errors == {best: "请填写。"}
    response = services.submit_response(person=cast.person_a, survey=chain, answers={
        went: AnswerInput(choices=[0]), times: AnswerInput(choices=[1]), best: AnswerInput(text="第二次，见了老支书"),
        score: AnswerInput(score=5)})
    assert response.answers.count() == 4


def test_the_editor_names_the_question_by_its_row_when_rows_above_are_deleted(cast, client_as):
    client = client_as(cast.officer)
    rows = [{"kind": "text", "text": "先删掉的题"},
            {"kind": "single", "text": "参加过网络学习吗", "choices": "参加过\n没有参加", "required": "on"},
            {"kind": "multiple", "text": "遇到什么问题", "choices": "没时间\n不会用", "show_if_q": "1", "show_if_choices": "参加过"}]
    rows[0]["DELETE"] = "on"
    assert client.post("/surveys/new/", _form_data(cast.district, rows)).status_code == 302
    survey = Survey.objects.get()
    assert [(q.position, q.shown_if) for q in survey.questions.all()] == [(1, None), (2, {"q": 1, "choices": [0]})]
    edit = client.get(f"/surveys/{survey.pk}/edit/").content.decode()  # shown again as row 0 (第 1 题), 参加过
    assert re.search(r'<option value="0" selected>第 1 题</option>', edit) and 'value="参加过"' in edit
    page = client.get(survey.get_absolute_url()).content.decode()
    assert "第 1 题选“参加过”时作答" in page


def test_the_editor_refuses_a_condition_on_a_deleted_row(cast, client_as):
    rows = [{"kind": "single", "text": "参加过吗", "choices": "是\n否", "DELETE": "on"},
            {"kind": "text", "text": "说说", "show_if_q": "0", "show_if_choices": "是"}]
    page = client_as(cast.officer).post("/surveys/new/", _form_data(cast.district, rows)).content.decode()
    assert "第 1 题的显示条件所依据的题目已删除，请重新选择或清除条件。" in page and not Survey.objects.exists()
    rows[0].pop("DELETE")
    rows[1]["show_if_q"] = "5"  # a row below, or none: not on offer
    page = client_as(cast.officer).post("/surveys/new/", _form_data(cast.district, rows)).content.decode()
    assert "“5”不在可选范围内，请重新选择。" in page and not Survey.objects.exists()


def test_the_sheet_results_and_api_say_the_condition(cast, survey, client_as):
    sheet = client_as(cast.trainee).get(survey.get_answer_url()).content.decode()
    online = survey.questions.get(position=6)
    assert f'data-shown-if-q="{online.pk}" data-shown-if="0"' in sheet and "第 6 题选“参加过”时作答" in sheet
    services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey))
    answered = client_as(cast.trainee).get(survey.get_answer_url()).content.decode()
    assert "data-readonly" in answered  # the page shows what was asked, as it was
    results = client_as(cast.officer).get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "第 6 题选“没有参加”时作答" in results
    api = client_as(cast.officer).get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert [q["condition"] for q in api["questions"]][5:8] == ["", "第 6 题选“参加过”时作答", "第 6 题选“没有参加”时作答"]
    assert Question.objects.filter(survey=survey, shown_if__isnull=False).count() == 2


def test_the_export_tells_a_question_not_asked_from_one_left_blank(cast, survey):
    import io

    from openpyxl import load_workbook

    from jingpei.surveys import exports, queries

    services.submit_response(person=cast.person_a, survey=survey, answers=full_answers(survey, q9=AnswerInput(text="")))
    data = exports.survey_workbook(survey, queries.results(survey))
    book = load_workbook(io.BytesIO(data), read_only=True)
    head, row = list(book["答卷"].iter_rows(values_only=True))[:2]
    asked = dict(zip(head, row, strict=True))
    assert asked["7. 网络在线学习中，您遇到的主要问题是？"] == "课程与工作不对口"
    assert asked["8. 您没有参加网络在线学习的原因是？"] == "—"  # not asked: 参加过 was ticked
    assert asked["9. 您在工作中遇到的最大困难，或最希望学习的内容："] in ("", None)  # asked, left blank
    stats = [r[0] for r in book["统计"].iter_rows(values_only=True) if r and r[0]]
    assert "第 6 题选“没有参加”时作答" in stats
