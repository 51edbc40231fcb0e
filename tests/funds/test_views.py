"""The funds pages as the officer, the approvers and the auditor: the whole way by form posts, the bad
inputs a tired official types, the export, and query counts that do not grow with the rows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jingpei.funds import services
from jingpei.funds.models import ApprovalStep, Budget, Expense, State
from tests.funds.conftest import approved_budget, make_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as():
    """A client of its own per user (the shared fixture logs one client in as each user in turn)."""

    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


def _budget_post(cast, **lines):
    data = {"title": "2026年培训经费", "year": "2026", "org": str(cast.district.pk), "plan": "", "note": "",
            "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50"}
    for n, (item, amount) in enumerate(lines.values()):
        data |= {f"lines-{n}-item": item, f"lines-{n}-amount": amount, f"lines-{n}-description": f"第{n}行"}
    return data


def test_the_whole_way_by_forms(cast, funds, client_as):
    officer = client_as(cast.officer)
    response = officer.post(reverse("funds:budget_new"), _budget_post(cast, a=("teachers", "12,000"), b=("lodging", "8000.5")))
    budget = Budget.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("funds:budget", args=[budget.pk])
    assert budget.total == Decimal("20000.50") and budget.lines.count() == 2  # the third, blank row is no line
    page = officer.get(response["Location"]).content.decode()
    assert "20,000.50" in page and "提交后依次经过：财政局审核 → 帮扶企业审批" in page
    officer.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "submit"})
    cz = client_as(funds.approver_cz)
    assert "2026年培训经费" in cz.get(reverse("funds:approvals")).content.decode()
    assert "1 项经费事项待您审批" in cz.get("/").content.decode()
    cz.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "approve", "step": "1", "comment": "同意"})
    qy = client_as(funds.approver_qy)
    response = qy.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "return", "step": "2", "comment": ""})
    assert "退回须写明理由" in qy.get(response["Location"]).content.decode()
    qy.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "approve", "step": "2"})
    budget.refresh_from_db()
    assert budget.state == State.APPROVED
    # an expense, saved and submitted in one go, approved from the waiting list
    line = budget.lines.order_by("pk").first()
    response = officer.post(reverse("funds:expense_new", args=[budget.pk]), {
        "line": str(line.pk), "spent_on": "2026-06-10", "amount": "3600", "payee": "区委党校", "purpose": "专题班课酬",
        "invoice_no": "", "action": "submit"})
    expense = Expense.objects.get()
    assert expense.state == State.PENDING
    response = cz.post(reverse("funds:expense_act", args=[expense.pk]),
                       {"action": "approve", "step": "1", "next": "approvals"})
    assert response["Location"] == reverse("funds:approvals")
    qy.post(reverse("funds:expense_act", args=[expense.pk]), {"action": "approve", "step": "2"})
    page = officer.get(reverse("funds:budget", args=[budget.pk])).content.decode()
    assert "3,600.00" in page and "16,400.50" in page  # spent, left
    index = officer.get(reverse("funds:index")).content.decode()
    assert "20,000.50" in index and "18.0%" in index


def test_bad_budget_forms_say_what_and_where(cast, funds, client_as):
    officer = client_as(cast.officer)
    data = _budget_post(cast, a=("teachers", "12.345"), b=("", "500"), c=("lodging", "abc"))
    data |= {"title": "", "year": "2019"}
    page = officer.post(reverse("funds:budget_new"), data).content.decode()
    for message in ("此项必须填写", "预算年度只能是 2025—2027 年", "金额最多精确到分", "金额“abc”不是数字"):
        assert message in page, message
    empty = _budget_post(cast)
    assert "预算至少要有一条明细" in officer.post(reverse("funds:budget_new"), empty).content.decode()
    stranger = _budget_post(cast, a=("teachers", "100")) | {"org": str(cast.town_b.pk + 999)}
    assert "请从搜索结果中点选" in officer.post(reverse("funds:budget_new"), stranger).content.decode()
    assert not Budget.objects.exists()


def test_bad_expense_forms(cast, funds, client_as):
    budget = approved_budget(cast, funds)
    officer = client_as(cast.officer)
    line = budget.lines.order_by("pk").first()
    page = officer.post(reverse("funds:expense_new", args=[budget.pk]), {
        "line": str(line.pk), "spent_on": "2026-07-01", "amount": "0", "payee": "", "purpose": "x", "action": "submit",
    }).content.decode()
    for message in ("支出日期不能晚于今天", "金额须大于 0", "此项必须填写"):
        assert message in page, message
    page = officer.post(reverse("funds:expense_new", args=[budget.pk]), {
        "line": str(line.pk), "spent_on": "2026-06-01", "amount": "10000.01", "payee": "x", "purpose": "y", "action": "submit",
    }).content.decode()
    assert "超出“师资费 明细0”的结余：结余 ¥10,000.00" in page
    assert not Expense.objects.exists()


def test_the_chain_page(cast, funds, client_as):
    officer = client_as(cast.officer)
    page = officer.get(reverse("funds:chain")).content.decode()
    assert "财政局审核" in page and "帮扶企业扶贫办" in page  # the enterprise holds an approver's grant: offered
    data = {"owner": str(cast.district.pk), "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "6",
            "steps-0-name": "财政局审核", "steps-0-approver_org": str(funds.caizheng.pk),
            "steps-1-name": "", "steps-1-approver_org": str(funds.enterprise.pk),
            "steps-2-name": "", "steps-2-approver_org": ""}
    page = officer.post(reverse("funds:chain"), data).content.decode()
    assert "请填写环节名称" in page
    data |= {"steps-1-name": "企业审批", "steps-1-approver_org": str(funds.caizheng.pk)}
    assert "出现了两次" in officer.post(reverse("funds:chain"), data).content.decode()
    data |= {"steps-1-approver_org": str(funds.enterprise.pk)}
    assert officer.post(reverse("funds:chain"), data).status_code == 302
    assert list(ApprovalStep.objects.order_by("position").values_list("name", flat=True)) == ["财政局审核", "企业审批"]
    assert client_as(funds.approver_cz).get(reverse("funds:chain")).status_code == 404
    assert client_as(cast.liaison_a).get(reverse("funds:index")).status_code == 404


def test_the_auditor_reads_everything_and_may_do_nothing(cast, funds, client_as):
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    auditor = client_as(funds.auditor)
    page = auditor.get(reverse("funds:budget", args=[budget.pk])).content.decode()
    assert "2026年培训经费" in page and 'value="approve"' not in page and 'value="submit"' not in page
    auditor.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "approve", "step": "1"})
    auditor.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "withdraw"})
    budget.refresh_from_db()
    assert (budget.state, budget.step) == (State.PENDING, 1)
    assert auditor.get(reverse("funds:budget_edit", args=[budget.pk])).status_code == 403


def test_export(cast, funds, client_as):
    budget = approved_budget(cast, funds)
    expense = services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                    spent_on=budget.approved_at.date(), amount="=HYPERLINK(1)" and "2500",
                                    payee="=HYPERLINK(\"x\")", purpose="课酬")
    services.submit(actor=cast.officer, item=expense)
    response = client_as(funds.auditor).get(reverse("funds:export") + "?year=2026")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb["预算执行"].iter_rows(values_only=True))
    assert rows[1][:4] == ("已批准预算（元）", 15000, "已支出（元）", 0)
    assert rows[4][3:9] == ("师资费", "明细0", 10000, 0, 2500, 7500)
    spent = list(wb["支出明细"].iter_rows(values_only=True))
    assert spent[1][4] == '=HYPERLINK("x")' and spent[1][8] == "财政局审核 → 帮扶企业审批"


def test_query_counts_do_not_grow(cast, funds, client_as):
    officer = client_as(cast.officer)

    def counted(url):
        with CaptureQueriesContext(connection) as ctx:
            assert officer.get(url).status_code == 200
        return len(ctx)

    first = approved_budget(cast, funds)
    few = (counted(reverse("funds:index")), counted(reverse("funds:budget", args=[first.pk])))
    for n in range(5):
        budget = approved_budget(cast, funds, title=f"预算{n}")
        for _ in range(3):
            e = services.save_expense(actor=cast.officer, budget=first, line=first.lines.order_by("pk").first(),
                                      spent_on=first.approved_at.date(), amount="10", payee="x", purpose="y")
            services.submit(actor=cast.officer, item=e)
        assert budget.pk
    many = (counted(reverse("funds:index")), counted(reverse("funds:budget", args=[first.pk])))
    assert many == few
    cz = client_as(funds.approver_cz)
    with CaptureQueriesContext(connection) as ctx:
        assert cz.get(reverse("funds:approvals")).status_code == 200
    assert len(ctx) <= 20


def test_editing_a_returned_budget_keeps_unchanged_rows(cast, funds, client_as):
    budget = make_budget(cast)  # teachers 10,000 + lodging 5,000
    services.submit(actor=cast.officer, item=budget)
    services.return_item(actor=funds.approver_cz, item=budget, step=1, reason="场地费漏列")
    officer = client_as(cast.officer)
    page = officer.get(reverse("funds:budget_edit", args=[budget.pk])).content.decode()
    assert 'name="lines-INITIAL_FORMS" value="2"' in page and 'value="10000.00"' in page
    data = {"title": "2026年培训经费", "year": "2026", "org": str(cast.district.pk), "plan": "", "note": "",
            "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "2", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50",
            "lines-0-item": "teachers", "lines-0-amount": "10000.00", "lines-0-description": "明细0",  # as it was
            "lines-1-item": "lodging", "lines-1-amount": "5000.00", "lines-1-DELETE": "on",
            "lines-2-item": "venue", "lines-2-amount": "2000", "lines-2-description": "场地"}
    assert officer.post(reverse("funds:budget_edit", args=[budget.pk]), data).status_code == 302
    budget.refresh_from_db()
    assert budget.total == Decimal("12000.00")
    assert sorted(budget.lines.values_list("item", "amount")) == [("teachers", Decimal("10000.00")), ("venue", Decimal("2000.00"))]
    assert budget.state == State.RETURNED  # saved, not yet submitted again


def test_a_decision_without_its_step_asks_for_a_reload(cast, funds, client_as):
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    cz = client_as(funds.approver_cz)
    response = cz.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "approve"}, follow=True)
    assert "页面已过期，请刷新后再审批" in response.content.decode()
    response = cz.post(reverse("funds:budget_act", args=[budget.pk]), {"action": "approve", "step": "1", "next": "approvals"})
    assert response["Location"] == reverse("funds:approvals")
    budget.refresh_from_db()
    assert budget.step == 2


def test_a_plan_of_another_year_is_refused(cast, funds):
    from jingpei.classes.models import AnnualPlan
    from jingpei.core.errors import DomainError

    plan = AnnualPlan.objects.create(year=2025, org=cast.district, title="2025年计划")
    with pytest.raises(DomainError, match="所选年度计划与预算的年度或单位不符"):
        services.save_budget(actor=cast.officer, org=cast.district, year=2026, title="x", plan=plan,
                             lines=[services.LineInput(item="teachers", amount=Decimal(1))])


def test_an_approved_budget_opens_its_page_instead_of_the_editor(cast, funds, client_as):
    budget = approved_budget(cast, funds)
    response = client_as(cast.officer).get(reverse("funds:budget_edit", args=[budget.pk]), follow=True)
    assert response.redirect_chain[-1][0] == budget.get_absolute_url()
    assert "预算“2026年培训经费”（¥15,000.00）已批准，不能再修改" in response.content.decode()


def test_the_annual_plan_shows_its_budgets(cast, funds, client_as):
    from jingpei.classes.models import AnnualPlan

    plan = AnnualPlan.objects.create(year=2026, org=cast.district, title="2026年计划", budget_note="区级财政 80 万元")
    officer = client_as(cast.officer)
    page = officer.get(reverse("classes:plan", args=[plan.pk])).content.decode()
    assert "区级财政 80 万元" in page and "2026年培训经费" not in page
    budget = approved_budget(cast, funds)
    Budget.objects.filter(pk=budget.pk).update(plan=plan)
    page = officer.get(reverse("classes:plan", args=[plan.pk])).content.decode()
    assert "2026年培训经费" in page and "15,000.00" in page and "（0.0%）" in page
