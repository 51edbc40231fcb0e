"""The after-course test in Chromium: a course manager adds a question on a desktop; a learner on a phone
finishes the course, forgets a question, is shown which, passes, and sees the half 学时 on "my study"."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingpei.academy import quiz
from jingpei.academy.models import Enrollment, QuizAttempt
from jingpei.ledger.models import LedgerEntry
from tests.academy.helpers import make_course
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course(cast):
    course = make_course(cast.district, "乡村振兴政策解读", seconds=(30,), hours="1.0")
    quiz.add_question(actor=None, course=course, kind="single", text="乡村振兴的总要求有几句？",
                      choices=["三句", "五句", "七句"], answer="B")
    return course


def test_manager_adds_a_question_with_a_typo_then_right(cast, course, desktop):
    page = desktop
    login(page, "officer")
    page.goto(f"{page.base}/academy/courses/{course.pk}/")
    page.get_by_test_id("manage-questions").click()
    form = page.get_by_test_id("question-form")
    form.locator("select[name=kind]").select_option("multiple")
    form.locator("textarea[name=text]").fill("属于“五个振兴”的有：")
    form.locator("textarea[name=choices]").fill("产业振兴\n人才振兴\n房价振兴\n生态振兴")
    form.locator("input[name=answer]").fill("ABE")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-field=answer]").inner_text() == "答案“E”不在选项 A–D 之中。"
    assert page.locator("textarea[name=choices]").input_value().startswith("产业振兴")  # nothing typed is lost
    page.locator("input[name=answer]").fill("ａ，b，d")
    page.get_by_test_id("question-form").locator("button[type=submit]").click()
    assert page.get_by_test_id("question-row").count() == 2
    assert "正确答案：ABD" in page.get_by_test_id("question-row").nth(1).inner_text()
    shot(page, "academy-questions-desktop")


def test_learner_takes_the_test_on_a_phone(cast, course, phone):
    quiz.add_question(actor=None, course=course, kind="judge", text="产业兴旺是乡村振兴的重点。", answer="对")
    Enrollment.objects.create(person=cast.person_a, course=course, completed_at=timezone.now())
    page = phone
    login(page, "trainee")
    page.goto(f"{page.base}/academy/courses/{course.pk}/")
    page.get_by_test_id("take-test").click()
    page.get_by_label("五句").check()
    page.get_by_test_id("test-submit").click()
    assert page.get_by_test_id("test-error").inner_text() == "第 2 题未作答，请答完全部题目再交卷。"
    assert page.get_by_label("五句").is_checked()
    assert page.get_by_test_id("missing").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the test page scrolls sideways on a phone ({width}px)"
    shot(page, "academy-test-phone")
    page.get_by_label("正确").check()
    page.get_by_test_id("test-submit").click()
    assert page.get_by_test_id("test-score").inner_text() == "100"
    assert "已记 0.5 学时。" in page.get_by_test_id("test-outcome").inner_text()
    shot(page, "academy-test-result-phone")
    assert QuizAttempt.objects.get().passed and LedgerEntry.objects.get().hours == 0.5
    page.goto(f"{page.base}/academy/my/")
    assert page.get_by_test_id("year-hours").inner_text() == "0.5"
