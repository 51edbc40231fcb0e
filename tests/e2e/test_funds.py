"""The funds in the browser: the officer draws up a budget on a desktop (adding a row), submits it; the
finance bureau's approver approves it on a phone from the top bar's count; the enterprise's approver tries
to return it without a reason, then returns it with one; the officer sees why. Then an approved budget
adjusted (预算调整) with a line added, refused once for want of a reason, approved on a phone; and last year's
balance returned on a phone from the home page's to-do, after one slip."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from jingpei.accounts.models import User
from jingpei.core.permissions import Role
from jingpei.funds import services
from jingpei.funds.models import Budget, State
from tests.e2e.conftest import login, shot
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_budget_drawn_up_approved_on_a_phone_and_returned(cast, desktop, phone):
    caizheng = make_org(cast.district, "区财政局", "unit")
    enterprise = make_org(make_org(None, "帮扶集团", "district"), "帮扶企业扶贫办", "unit")
    make_user("approver_cz", role=Role.FUNDS_APPROVER, org=caizheng)
    make_user("approver_qy", role=Role.FUNDS_APPROVER, org=enterprise)
    services.set_chain(actor=cast.officer, owner=cast.district, steps=[("财政局审核", caizheng), ("帮扶企业审批", enterprise)])

    login(desktop, "officer")
    desktop.goto(desktop.base + "/funds/")
    desktop.click("text=编制预算")
    desktop.fill("input[name=title]", "乡村振兴专题培训经费")
    desktop.fill("#pick-org", "召陵")
    desktop.locator(".jp-picker-results >> text=召陵区").first.click()
    desktop.select_option("select[name=lines-0-item]", "teachers")
    desktop.fill("input[name=lines-0-amount]", "12,000")
    desktop.select_option("select[name=lines-1-item]", "lodging")
    desktop.fill("input[name=lines-1-amount]", "30000.5")
    desktop.click("[data-formset-add=lines]")
    desktop.select_option("select[name=lines-2-item]", "venue")
    desktop.fill("input[name=lines-2-amount]", "0")  # a tired official's slip: refused, nothing saved
    desktop.click("text=保存草稿")
    expect(desktop.locator("[data-field=amount]")).to_contain_text("金额须大于 0")
    assert not Budget.objects.exists()
    desktop.fill("input[name=lines-2-amount]", "5000")
    desktop.click("text=保存草稿")
    expect(desktop.locator("[data-testid=total]")).to_have_text("47,000.50")
    shot(desktop, "desktop-funds-budget")
    desktop.click("[data-testid=submit]")
    expect(desktop.locator("[data-testid=state]")).to_have_text("审批中")

    login(phone, "approver_cz")
    phone.click("[data-testid=top-alert] >> nth=0")
    phone.click("text=乡村振兴专题培训经费")
    phone.fill("textarea[name=comment]", "符合年度计划")
    phone.click("button[value=approve]")
    expect(phone.locator(".alert")).to_contain_text("已同意")
    sideways = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 1
    shot(phone, "phone-funds-approved-step-1")

    phone.context.clear_cookies()  # the enterprise's approver, on the same phone
    login(phone, "approver_qy")
    phone.goto(phone.base + "/funds/approvals/")
    phone.click("text=乡村振兴专题培训经费")
    phone.once("dialog", lambda d: d.accept())
    phone.click("button[value=return]")
    expect(phone.locator(".alert-danger")).to_contain_text("退回须写明理由")
    phone.fill("textarea[name=comment]", "食宿标准偏高，请按规定标准重编")
    phone.once("dialog", lambda d: d.accept())
    phone.click("button[value=return]")
    expect(phone.locator("[data-testid=state]")).to_have_text("已退回")

    desktop.goto(desktop.base + "/")
    desktop.click("text=被退回，待修改后重新提交")
    expect(desktop.locator("[data-testid=trail]")).to_contain_text("食宿标准偏高")
    assert Budget.objects.get().state == State.RETURNED


def test_an_approved_budget_adjusted_on_a_desktop_and_approved_on_a_phone(cast, desktop, phone):
    caizheng = make_org(cast.district, "区财政局", "unit")
    make_user("approver_cz", role=Role.FUNDS_APPROVER, org=caizheng)
    services.set_chain(actor=cast.officer, owner=cast.district, steps=[("财政局审核", caizheng)])
    budget = services.save_budget(actor=cast.officer, org=cast.district, year=date.today().year, title="乡村振兴专题培训经费",
                                  lines=[services.LineInput(item="teachers", amount=Decimal("10000"))])
    services.submit(actor=cast.officer, item=budget)
    services.approve(actor=User.objects.get(username="approver_cz"), item=budget, step=1)

    login(desktop, "officer")
    desktop.goto(desktop.base + budget.get_absolute_url())
    desktop.click("[data-testid=adjust]")
    desktop.fill("input[name=lines-0-amount]", "12,000")
    desktop.click("[data-formset-add=lines]")
    desktop.select_option("select[name=lines-1-item]", "venue")
    desktop.fill("input[name=lines-1-amount]", "3000")
    desktop.click("text=保存草稿")  # no reason given: refused, the rows kept as typed
    expect(desktop.locator("[data-field=reason]")).to_contain_text("调整须写明理由")
    expect(desktop.locator("input[name=lines-1-amount]")).to_have_value("3000")
    desktop.fill("textarea[name=reason]", "增开一期致富带头人培训班")
    desktop.click("text=保存草稿")
    expect(desktop.locator("[data-testid=totals]")).to_contain_text("10,000.00 → 15,000.00")
    shot(desktop, "desktop-funds-adjustment")
    desktop.click("[data-testid=submit]")
    expect(desktop.locator("[data-testid=state]")).to_have_text("审批中")

    login(phone, "approver_cz")
    phone.goto(phone.base + "/funds/approvals/")
    phone.click("[data-testid=waiting-adjustments] >> text=查看调整明细后审批")
    expect(phone.locator("[data-testid=changes]")).to_contain_text("+3,000.00")
    phone.click("button[value=approve]")
    expect(phone.locator("[data-testid=state]")).to_have_text("已批准")
    assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    shot(phone, "phone-funds-adjustment-approved")
    budget.refresh_from_db()
    assert budget.total == Decimal("15000") and budget.lines.count() == 2


def test_last_years_balance_returned_on_a_phone_after_one_slip(cast, phone):
    """Any day is after last year's 1 December: its budget's year-end close is due, and the home page says so."""
    caizheng = make_org(cast.district, "区财政局", "unit")
    make_user("approver_cz", role=Role.FUNDS_APPROVER, org=caizheng)
    services.set_chain(actor=cast.officer, owner=cast.district, steps=[("财政局审核", caizheng)])
    year = date.today().year - 1
    budget = services.save_budget(actor=cast.officer, org=cast.district, year=year, title="上年培训经费",
                                  lines=[services.LineInput(item="teachers", amount=Decimal("10000"))])
    services.submit(actor=cast.officer, item=budget)
    services.approve(actor=User.objects.get(username="approver_cz"), item=budget, step=1)

    login(phone, "officer")
    phone.click("text=待年终结算（结转或结余收回）：上年培训经费")
    expect(phone.locator("[data-testid=year-end]")).to_contain_text("结余 10,000.00")
    phone.fill("#settle-note", "缴")  # one character: where to?
    phone.once("dialog", lambda d: d.accept())
    phone.click("button[value=settle]")
    expect(phone.locator(".alert-danger, .alert-error, [role=alert]").first).to_contain_text("收回到哪里？请写明去向")
    phone.fill("#settle-note", "缴回区财政")
    phone.once("dialog", lambda d: d.accept())
    phone.click("button[value=settle]")
    expect(phone.locator("[data-testid=settled]")).to_contain_text("收回 10,000.00")
    expect(phone.locator("[data-testid=settled]")).to_contain_text("缴回区财政")
    assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    shot(phone, "phone-funds-balance-returned")
    budget.refresh_from_db()
    assert budget.closed and budget.returned == Decimal("10000")
    phone.goto(phone.base + "/")
    expect(phone.locator("text=待年终结算")).to_have_count(0)
