"""The needs survey in the browser: the officer draws it up on a desktop from the preset (drops a
question, turns one into a text answer, slips on a one-choice question; the display conditions follow the
renumbering), publishes it; a trainee answers on a phone from the top bar's count, slipping first, the
follow-up questions appearing and going as the answer they depend on changes; the officer reads the results."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from jingpei.surveys.models import Response, State, Survey
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_needs_survey_drawn_up_answered_on_a_phone_and_read(cast, desktop, phone):
    login(desktop, "officer")
    desktop.goto(desktop.base + "/surveys/")
    desktop.click("text=新建调查问卷")
    desktop.fill("#pick-org", "召陵")
    desktop.locator(".jp-picker-results >> text=召陵区").first.click()
    rows = desktop.locator("[data-testid=question-row]")
    rows.nth(3).get_by_label("删除这道题").check()  # the season question is not wanted this year
    choices = rows.nth(2).locator("textarea[name$=-choices]")
    expect(choices).to_be_visible()
    rows.nth(2).locator("select[name$=-kind]").select_option("text")
    expect(choices).to_be_hidden()  # a text answer has no choices
    # the season question gone, the online question is now the 5th: the conditions on it say so
    source = rows.nth(6).locator("select[name$=-show_if_q]")
    expect(source.locator("option:checked")).to_have_text("第 5 题：过去一年您参加过网络在线学习吗？")
    expect(rows.nth(6).locator(".jp-question-number")).to_have_text("第 6 题")  # numbered as the survey will be
    offered = source.locator("option").all_inner_texts()
    assert not any(t.startswith("第 3 题") for t in offered)  # now a text question: nothing to decide on
    desktop.click("[data-formset-add=questions]")
    desktop.click("[data-formset-add=questions]")  # the preset's spare row and two more
    last = rows.nth(11)
    last.locator("select[name$=-kind]").select_option("single")
    last.locator("input[name$=-text]").fill("是否愿意担任兼职讲师？")
    last.locator("textarea[name$=-choices]").fill("愿意")
    desktop.click("text=保存草稿")
    expect(desktop.locator("[data-field=choices]")).to_contain_text("选择题至少要有两个选项")
    assert not Survey.objects.exists()
    desktop.locator("[data-testid=question-row]").nth(11).locator("textarea[name$=-choices]").fill("愿意\n不愿意")
    desktop.click("text=保存草稿")
    expect(desktop.locator("[data-testid=questions] li")).to_have_count(9)
    expect(desktop.locator("[data-testid=condition]").nth(1)).to_have_text("第 5 题选“没有参加”时作答")
    desktop.once("dialog", lambda d: d.accept())
    desktop.click("button[value=open]")
    expect(desktop.locator("[data-testid=state]")).to_have_text("进行中")
    shot(desktop, "desktop-survey-open")
    survey = Survey.objects.get()
    assert survey.state == State.OPEN

    login(phone, "trainee")
    phone.click("[data-testid=top-alert][href='/surveys/mine/']")
    phone.click("[data-testid=to-answer] a")
    questions = phone.locator("[data-testid=question]")
    expect(questions.nth(5)).to_be_hidden()  # asked only after the 5th is answered
    phone.click("text=提交")
    # all but the optional text and the two follow-ups nobody was asked yet
    expect(phone.locator("[data-testid=question-error]")).to_have_count(6)
    for label in ("乡村振兴政策解读", "农村电子商务"):
        questions.nth(0).get_by_label(label).check()
    questions.nth(1).get_by_label("交流考察学习").check()
    questions.nth(2).locator("textarea").fill("三天左右，最好安排一天现场教学")
    questions.nth(3).locator("label:has-text('5 分')").click()
    questions.nth(4).get_by_label("参加过").check()
    expect(questions.nth(5)).to_be_visible()
    questions.nth(5).get_by_label("不会操作").check()  # ticked, then the answer above changed: not sent
    questions.nth(4).get_by_label("没有参加").check()
    expect(questions.nth(5)).to_be_hidden()
    expect(questions.nth(6)).to_be_visible()
    questions.nth(6).get_by_label("没有账号").check()
    questions.nth(8).get_by_label("愿意", exact=True).check()
    phone.click("text=提交")
    expect(phone.locator("[data-testid=answered]")).to_be_visible()
    expect(questions.nth(5)).to_be_hidden()  # the answers read back as they were asked
    sideways = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 1
    shot(phone, "phone-survey-answered")
    answers = Response.objects.get().answers
    assert answers.count() == 7 and not answers.filter(question__position=6).exists()
    assert answers.get(question__position=7).choices == [1]

    desktop.click("[data-testid=results-link]")
    expect(desktop.locator("[data-testid=responses]")).to_have_text("1")
    expect(desktop.locator("[data-testid=result]").nth(2)).to_contain_text("三天左右")
    expect(desktop.locator("[data-testid=mean]")).to_have_text("5.00")
