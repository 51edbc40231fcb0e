"""The after-course test (课后测试): questions as typed, taking it, the 学时 a pass earns, and boundaries."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone

from jingpei.academy import quiz
from jingpei.academy.access import stats_people
from jingpei.academy.models import Enrollment, Question, QuizAttempt
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.ledger.models import ConversionRule, LedgerEntry
from tests.academy.helpers import make_course


@pytest.fixture
def course(cast):
    course = make_course(cast.district, "乡村振兴政策解读", seconds=(30,), hours="1.0")
    quiz.add_question(actor=None, course=course, kind="single", text="乡村振兴的总要求有几句？",
                      choices=["三句", "五句", "七句"], answer="b")
    quiz.add_question(actor=None, course=course, kind="multiple", text="属于“五个振兴”的有：",
                      choices=["产业振兴", "人才振兴", "房价振兴", "生态振兴"], answer="Ａ、B，d")
    quiz.add_question(actor=None, course=course, kind="judge", text="产业兴旺是乡村振兴的重点。", answer="对")
    return course


RIGHT = ["B", "ABD", "A"]


def finish_lessons(person, course):
    Enrollment.objects.create(person=person, course=course, completed_at=timezone.now())


def answers(course, letters):
    return {str(q.pk): list(given) for q, given in zip(course.questions.all(), letters, strict=True)}


def take(person, course, letters, **kw):
    return quiz.submit(person=person, course=course, answers=answers(course, letters),
                       question_ids=[q.pk for q in course.questions.all()], **kw)


# --- questions as a course manager types them ------------------------------------------------------------
def test_answers_are_cleaned_as_typed(course):
    assert list(course.questions.values_list("kind", "answer", "order")) == [
        ("single", "B", 1), ("multiple", "ABD", 2), ("judge", "A", 3)]
    judge = course.questions.get(kind="judge")
    assert judge.choices == ["正确", "错误"] and judge.options == [("A", "正确"), ("B", "错误")]


@pytest.mark.parametrize(("kind", "text", "choices", "answer", "field", "message"), [
    ("single", "  ", ["甲", "乙"], "A", "text", "请填写题目。"),
    ("single", "题", ["甲"], "A", "choices", "选择题须有 2 到 8 个选项（现有 1 个）。"),
    ("single", "题", [f"项{i}" for i in range(9)], "A", "choices", "选择题须有 2 到 8 个选项（现有 9 个）。"),
    ("single", "题", ["甲", "甲 "], "A", "choices", "选项有重复，请检查。"),
    ("single", "题", ["甲", "乙", "丙", "丁"], "E", "answer", "答案“E”不在选项 A–D 之中。"),
    ("single", "题", ["甲", "乙"], "", "answer", "请填写正确答案的选项字母，如 A 或 AC。"),
    ("single", "题", ["甲", "乙"], "AB", "answer", "单选题只能有一个正确答案。"),
    ("multiple", "题", ["甲", "乙", "丙"], "c", "answer", "多选题至少应有两个正确答案；只有一个时请选“单选题”。"),
    ("multiple", "题", ["甲", "乙"], "AB", "choices", "多选题至少需要 3 个选项。"),
    ("judge", "题", [], "也许", "answer", "判断题的答案请填“对”或“错”。"),
    ("essay", "题", [], "A", "kind", "未知的题型。"),
    ("judge", "长" * 2001, [], "对", "text", "题目不能超过 2000 字（现有 2001 字）。"),
    ("single", "题", ["甲", "乙" * 301], "A", "choices", "选项 B 不能超过 300 字。"),
])
def test_bad_questions_are_refused_and_nothing_is_written(course, kind, text, choices, answer, field, message):
    with pytest.raises(DomainError) as caught:
        quiz.add_question(actor=None, course=course, kind=kind, text=text, choices=choices, answer=answer)
    assert (caught.value.field, caught.value.message) == (field, message)
    assert course.questions.count() == 3


def test_only_the_course_managers_change_its_questions(cast, course):
    with pytest.raises(NotAllowed):
        quiz.add_question(actor=cast.liaison_b, course=course, kind="judge", text="题", answer="对")
    with pytest.raises(NotAllowed):
        quiz.delete_question(actor=cast.liaison_a, question=course.questions.first())
    with pytest.raises(NotAllowed):
        quiz.set_rules(actor=cast.liaison_b, course=course, pass_percent=80, attempts=1)
    quiz.add_question(actor=cast.officer, course=course, kind="judge", text="新题", answer="错")
    assert AuditLog.objects.filter(action="academy.question.add", actor=cast.officer).count() == 1
    assert course.questions.count() == 4


@pytest.mark.parametrize(("percent", "attempts", "message"), [
    (0, 3, "及格分须在 1 到 100 之间。"), (101, 3, "及格分须在 1 到 100 之间。"),
    (60, -1, "测试次数须在 0 到 99 之间（0 表示不限次数）。"), ("六十", 3, "及格分和测试次数须为整数。"),
])
def test_bad_test_rules(cast, course, percent, attempts, message):
    with pytest.raises(DomainError, match=message):
        quiz.set_rules(actor=cast.officer, course=course, pass_percent=percent, attempts=attempts)
    course.refresh_from_db()
    assert (course.pass_percent, course.test_attempts) == (60, 3)


# --- taking the test ------------------------------------------------------------------------------------
def test_the_test_opens_once_every_lesson_is_done(cast, course):
    person = cast.person_a
    assert quiz.state_for(person, course).blocker == "请先学完全部课节，再参加课后测试。"
    with pytest.raises(Conflict, match="请先学完全部课节"):
        take(person, course, RIGHT)
    finish_lessons(person, course)
    assert quiz.state_for(person, course).blocker == ""


def test_a_pass_credits_half_an_hour_once(cast, course):
    finish_lessons(cast.person_a, course)
    failed = take(cast.person_a, course, ["A", "AB", "A"])  # 1 of 3 right: 33
    assert (failed.number, failed.correct, failed.score, failed.passed, failed.ledger_entry) == (1, 1, 33, False, None)
    passed = take(cast.person_a, course, ["B", "ABD", "B"])  # 2 of 3: 67 ≥ 60
    assert (passed.number, passed.score, passed.passed) == (2, 67, True)
    entry = LedgerEntry.objects.get()
    assert (entry.hours, entry.form, entry.title) == (Decimal("0.5"), "online", "乡村振兴政策解读（课后测试）")
    assert entry.idempotency_key == f"academy-test:{course.pk}:{cast.person_a.pk}"
    with pytest.raises(Conflict, match="您已通过本课程测试。"):
        take(cast.person_a, course, RIGHT)
    assert LedgerEntry.objects.count() == 1 and QuizAttempt.objects.count() == 2


def test_multiple_choice_counts_only_when_exactly_right(cast, course):
    finish_lessons(cast.person_a, course)
    attempt = take(cast.person_a, course, ["B", "AB", "A"])  # one option short
    assert (attempt.correct, attempt.score, attempt.passed) == (2, 67, True)
    assert attempt.answers[str(course.questions.get(kind="multiple").pk)] == {"given": "AB", "right": False}


def test_tries_run_out(cast, course):
    quiz.set_rules(actor=cast.officer, course=course, pass_percent=100, attempts=2)
    finish_lessons(cast.person_a, course)
    take(cast.person_a, course, ["A", "ABD", "A"])
    take(cast.person_a, course, ["B", "ABD", "B"])
    with pytest.raises(Conflict, match=r"测试次数已用完（共 2 次）。"):
        take(cast.person_a, course, RIGHT)
    assert QuizAttempt.objects.count() == 2 and not LedgerEntry.objects.exists()


def test_unanswered_questions_record_nothing(cast, course):
    finish_lessons(cast.person_a, course)
    with pytest.raises(quiz.Unanswered) as caught:
        take(cast.person_a, course, ["B", "", ""])
    assert caught.value.numbers == (2, 3)
    assert caught.value.message == "第 2、3 题未作答，请答完全部题目再交卷。"
    assert not QuizAttempt.objects.exists()


def test_crafted_answers_earn_nothing(cast, course):
    """Every option sent for a single-choice question, letters that are no option: wrong, never right."""
    finish_lessons(cast.person_a, course)
    attempt = take(cast.person_a, course, ["ABC", "ABCD", "AB"])
    assert (attempt.correct, attempt.passed) == (0, False)
    with pytest.raises(quiz.Unanswered):
        take(cast.person_a, course, ["Z", "ABD", "A"])


def test_a_test_changed_while_answering_is_refused(cast, course):
    finish_lessons(cast.person_a, course)
    shown = [q.pk for q in course.questions.all()]
    quiz.add_question(actor=None, course=course, kind="judge", text="新加的题", answer="错")
    with pytest.raises(Conflict, match="测试题目已更新"):
        quiz.submit(person=cast.person_a, course=course, answers=answers(course, [*RIGHT, "B"]), question_ids=shown)
    assert not QuizAttempt.objects.exists()


def test_no_hours_when_the_passed_test_rule_is_off(cast, course):
    ConversionRule.objects.filter(code=quiz.TEST_PASSED).update(active=False)
    finish_lessons(cast.person_a, course)
    attempt = take(cast.person_a, course, RIGHT)
    assert attempt.passed and attempt.ledger_entry is None and not LedgerEntry.objects.exists()


def test_people_outside_the_audience_cannot_take_it(cast):
    course = make_course(cast.town_a, "老窝镇专题", seconds=(30,))
    quiz.add_question(actor=None, course=course, kind="judge", text="题", answer="对")
    with pytest.raises(NotAllowed):
        quiz.submit(person=cast.person_b, course=course, answers={}, question_ids=[])


def test_review_hides_the_answers_until_a_pass_or_the_last_try(cast, course):
    quiz.set_rules(actor=cast.officer, course=course, pass_percent=100, attempts=2)
    finish_lessons(cast.person_a, course)
    first = take(cast.person_a, course, ["B", "AB", "B"])
    rows = quiz.review(first, show_answers=False)
    assert [(r.given, r.right, r.answer) for r in rows] == [("B", True, ""), ("AB", False, ""), ("错误", False, "")]
    assert [(r.answer) for r in quiz.review(first, show_answers=True)] == ["B", "ABD", "正确"]


def test_course_figures_count_only_the_viewers_people(cast, course):
    for person in (cast.person_a, cast.person_b):
        finish_lessons(person, course)
        take(person, course, RIGHT)
    finish_lessons(cast.person_a2, course)
    take(cast.person_a2, course, ["A", "AB", "B"])
    assert quiz.course_figures(course, stats_people(cast.officer)) == {"took": 3, "passed": 2, "rate": 66.7}
    assert quiz.course_figures(course, stats_people(cast.liaison_b)) == {"took": 1, "passed": 1, "rate": 100.0}


def test_question_deleted_later_keeps_past_scores(cast, course):
    finish_lessons(cast.person_a, course)
    attempt = take(cast.person_a, course, RIGHT)
    quiz.delete_question(actor=cast.officer, question=course.questions.get(kind="judge"))
    attempt.refresh_from_db()
    assert (attempt.score, attempt.total) == (100, 3)
    assert len(quiz.review(attempt, show_answers=True)) == 2
    assert Question.objects.filter(course=course).count() == 2


# --- the pages -------------------------------------------------------------------------------------------
def form_data(course, letters):
    data = {"shown": [q.pk for q in course.questions.all()]}
    for q, given in zip(course.questions.all(), letters, strict=True):
        if given:
            data[f"q{q.pk}"] = list(given)
    return data


def test_learner_takes_the_test_over_http(cast, course, client_as):
    client = client_as(cast.trainee)
    page = client.get(f"/academy/courses/{course.pk}/").content.decode()
    assert "请先学完全部课节，再参加课后测试。" in page and 'data-testid="take-test"' not in page
    finish_lessons(cast.person_a, course)
    page = client.get(f"/academy/courses/{course.pk}/").content.decode()
    assert 'data-testid="take-test"' in page and "通过可记 0.5 学时。" in page
    form = client.get(f"/academy/courses/{course.pk}/test/").content.decode()
    assert form.count('data-testid="question"') == 3 and "ABD" not in form  # the answers never reach the page

    missing = client.post(f"/academy/courses/{course.pk}/test/", form_data(course, ["B", "AD", ""]))
    body = missing.content.decode()
    assert missing.status_code == 400 and "第 3 题未作答，请答完全部题目再交卷。" in body
    multiple = course.questions.get(kind="multiple").pk
    assert f'value="A" id="q{multiple}A" checked' in body and f'value="B" id="q{multiple}B">' in body
    assert not QuizAttempt.objects.exists()

    done = client.post(f"/academy/courses/{course.pk}/test/", form_data(course, ["B", "AD", "B"]))
    assert done.status_code == 302 and done.url == f"/academy/courses/{course.pk}/test/result/"
    result = client.get(done.url).content.decode()
    assert 'data-testid="test-score">33<' in result and "未通过" in result
    assert 'data-testid="right-answer"' not in result and 'data-testid="test-again"' in result
    client.post(f"/academy/courses/{course.pk}/test/", form_data(course, RIGHT))
    result = client.get(done.url).content.decode()
    assert 'data-testid="test-score">100<' in result and "已记 0.5 学时。" in result
    assert result.count('data-testid="right-answer"') == 3 and 'data-testid="test-again"' not in result
    again = client.post(f"/academy/courses/{course.pk}/test/", form_data(course, RIGHT))
    assert again.status_code == 409 and "您已通过本课程测试。" in again.content.decode()
    assert QuizAttempt.objects.count() == 2 and LedgerEntry.objects.count() == 1


def test_staff_without_a_place_in_the_audience_only_manage(cast, course, client_as):
    officer = client_as(cast.officer)
    assert officer.get(f"/academy/courses/{course.pk}/test/").status_code == 403
    page = officer.get(f"/academy/courses/{course.pk}/").content.decode()
    assert 'data-testid="manage-questions"' in page and 'data-testid="take-test"' not in page


def test_manager_adds_and_removes_questions_on_the_page(cast, course, client_as):
    client = client_as(cast.officer)
    url = f"/academy/courses/{course.pk}/questions/"
    assert client.get(url).content.decode().count('data-testid="question-row"') == 3
    bad = client.post(url, {"action": "add", "kind": "single", "text": "选出正确的一项", "choices": "甲\n乙\n丙",
                            "answer": "D"})
    assert bad.status_code == 400 and "答案“D”不在选项 A–C 之中。" in bad.content.decode()
    assert "选出正确的一项" in bad.content.decode()  # what was typed stays in the form
    good = client.post(url, {"action": "add", "kind": "single", "text": "选出正确的一项", "choices": "甲\n\n乙\n丙 ",
                             "answer": "ｃ"})
    assert good.status_code == 302
    added = course.questions.last()
    assert (added.choices, added.answer, added.order) == (["甲", "乙", "丙"], "C", 4)
    rules = client.post(url, {"action": "rules", "pass_percent": "150", "test_attempts": "2"})
    assert rules.status_code == 400 and "pass_percent" in rules.content.decode()
    assert client.post(url, {"action": "rules", "pass_percent": "80", "test_attempts": "0"}).status_code == 302
    course.refresh_from_db()
    assert (course.pass_percent, course.test_attempts) == (80, 0)
    assert client.post(f"{url}{added.pk}/delete").status_code == 302
    assert course.questions.count() == 3


def test_questions_stay_inside_their_managers_subtree(cast, course, client_as):
    town_course = make_course(cast.town_a, "老窝镇专题", seconds=(30,))
    question = quiz.add_question(actor=None, course=town_course, kind="judge", text="题", answer="对")
    outsider = client_as(cast.liaison_b)
    assert outsider.get(f"/academy/courses/{course.pk}/questions/").status_code == 403  # offered to B, owned above
    for url in (f"/academy/courses/{town_course.pk}/questions/", f"/academy/courses/{town_course.pk}/test/",
                f"/academy/courses/{town_course.pk}/test/result/"):
        assert outsider.get(url).status_code == 404
    assert outsider.post(f"/academy/courses/{town_course.pk}/questions/{question.pk}/delete").status_code == 404
    # a question id of another course, through a course the user manages
    officer = client_as(cast.officer)
    assert officer.post(f"/academy/courses/{course.pk}/questions/{question.pk}/delete").status_code == 404
    assert Question.objects.filter(pk=question.pk).exists()


def test_coverage_counts_test_passes_of_the_viewers_people(cast, course, client_as):
    from jingpei.academy.queries import course_rows

    for person in (cast.person_a, cast.person_b):
        finish_lessons(person, course)
        take(person, course, RIGHT)
    assert [r.tested for r in course_rows(cast.officer)] == [2]
    assert [r.tested for r in course_rows(cast.liaison_a)] == [1]
    page = client_as(cast.liaison_a).get("/academy/coverage/").content.decode()
    assert "测试通过" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_pass_once(cast, course):
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    finish_lessons(cast.person_a, course)
    barrier, outcomes = threading.Barrier(4), []

    def send():
        barrier.wait()
        try:
            outcomes.append(take(cast.person_a, course, RIGHT).number)
        except Conflict as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [1, *["您已通过本课程测试。"] * 3]
    assert QuizAttempt.objects.count() == 1 and LedgerEntry.objects.count() == 1


def test_my_study_lists_the_tests_to_take(cast, course, client_as):
    from jingpei.academy.queries import my_study

    untested = make_course(cast.district, "没有测试的课程", seconds=(30,))
    finish_lessons(cast.person_a, untested)
    assert my_study(cast.person_a).tests_due == []
    finish_lessons(cast.person_a, course)
    assert my_study(cast.person_a).tests_due == [course]
    page = client_as(cast.trainee).get("/academy/my/").content.decode()
    assert 'data-testid="test-due"' in page and f"/academy/courses/{course.pk}/test/" in page
    take(cast.person_a, course, RIGHT)
    assert my_study(cast.person_a).tests_due == []
    quiz.set_rules(actor=None, course=untested, pass_percent=60, attempts=1)
    quiz.add_question(actor=None, course=untested, kind="judge", text="题", answer="对")
    assert my_study(cast.person_a).tests_due == [untested]
    take(cast.person_a, untested, ["B"])  # failed, and the only try is used
    assert my_study(cast.person_a).tests_due == []


def test_a_corrected_question_keeps_past_verdicts(cast, course, client_as):
    finish_lessons(cast.person_a, course)
    attempt = take(cast.person_a, course, ["A", "ABD", "A"])  # the key said B; the manager meant A
    question = course.questions.get(kind="single")
    client = client_as(cast.officer)
    url = f"/academy/courses/{course.pk}/questions/{question.pk}/"
    form = client.get(url).content.decode()
    assert "三句\n五句\n七句" in form and 'value="B"' in form
    bad = client.post(url, {"kind": "single", "text": question.text, "choices": "三句\n五句\n七句", "answer": "D"})
    assert bad.status_code == 400 and "答案“D”不在选项 A–C 之中。" in bad.content.decode()
    assert client.post(url, {"kind": "single", "text": "总要求有几句？", "choices": "三句\n五句\n七句",
                             "answer": "a"}).status_code == 302
    question.refresh_from_db()
    assert (question.text, question.answer) == ("总要求有几句？", "A")
    entry = AuditLog.objects.get(action="academy.question.update")
    assert (entry.before["answer"], entry.after["answer"]) == ("B", "A")
    attempt.refresh_from_db()
    assert (attempt.score, [r.right for r in quiz.review(attempt, show_answers=True)]) == (67, [False, True, True])
    assert client_as(cast.liaison_b).get(url).status_code == 403


def test_results_list_and_excel_stay_in_the_viewers_scope(cast, course, client_as):
    from openpyxl import load_workbook

    for person, letters in ((cast.person_a, ["B", "A", "B"]), (cast.person_a2, RIGHT), (cast.person_b, RIGHT)):
        finish_lessons(person, course)
        take(person, course, letters)
    take(cast.person_a, course, ["A", "AB", "B"])  # a second failed try
    url = f"/academy/courses/{course.pk}/test/results/"
    page = client_as(cast.liaison_a).get(url).content.decode()
    assert page.count('data-testid="result-row"') == 2 and "赵秘密" not in page
    assert page.index("王小明") < page.index("李芳")  # not passed first
    failed = client_as(cast.liaison_a).get(url, {"only": "failed"}).content.decode()
    assert failed.count('data-testid="result-row"') == 1 and "王小明" in failed
    resp = client_as(cast.officer).get(url, {"format": "xlsx", "only": "bogus"})
    sheet = load_workbook(io.BytesIO(resp.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("王小明", 33, 2, "未通过"), ("李芳", 100, 1, "通过"), ("赵秘密", 100, 1, "通过")]
    assert client_as(cast.trainee).get(url).status_code == 403  # a learner, no figures
    assert client_as(cast.liaison_b).get(f"/academy/courses/{make_course(cast.town_a, '甲镇课程').pk}/test/results/").status_code == 404


def test_the_api_tells_a_learner_where_they_stand(cast, course, client_as):
    client = client_as(cast.trainee)
    test = client.get(f"/api/v1/academy/courses/{course.pk}").json()["test"]
    assert test == {"questions": 3, "pass_percent": 60, "attempts_allowed": 3, "reward_hours": "0.5",
                    "attempts_used": 0, "best_score": None, "passed": False,
                    "blocker": "请先学完全部课节，再参加课后测试。"}
    finish_lessons(cast.person_a, course)
    assert [c["id"] for c in client.get("/api/v1/academy/my").json()["tests_due"]] == [course.pk]
    take(cast.person_a, course, RIGHT)
    test = client.get(f"/api/v1/academy/courses/{course.pk}").json()["test"]
    assert (test["best_score"], test["passed"], test["blocker"]) == (100, True, "您已通过本课程测试。")
    staff = client_as(cast.officer).get(f"/api/v1/academy/courses/{course.pk}").json()["test"]
    assert staff["questions"] == 3 and staff["passed"] is None  # staff: no learner's state
    untested = make_course(cast.district, "没有测试的课程")
    assert client.get(f"/api/v1/academy/courses/{untested.pk}").json()["test"] is None
