"""/api/v1/funds/: the same figures and the same boundary as the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingpei.funds import services
from tests.funds.conftest import approved_budget, logged_in, make_budget

pytestmark = pytest.mark.django_db


def test_budgets_with_their_execution(cast, funds):
    budget = approved_budget(cast, funds)
    expense = services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                    spent_on=budget.approved_at.date(), amount="2500", payee="区委党校", purpose="课酬")
    services.submit(actor=cast.officer, item=expense)
    body = logged_in(funds.auditor).get("/api/v1/funds/budgets?year=2026").json()
    assert [(b["title"], b["state"], Decimal(b["pending"]), Decimal(b["remaining"])) for b in body] == [
        ("2026年培训经费", "approved", Decimal("2500"), Decimal("12500"))]
    detail = logged_in(cast.officer).get(f"/api/v1/funds/budgets/{budget.pk}").json()
    assert [(ln["item"], Decimal(ln["remaining"])) for ln in detail["lines"]] == [("teachers", Decimal("7500")),
                                                                                ("lodging", Decimal("5000"))]
    assert [s["name"] for s in detail["steps"]] == ["财政局审核", "帮扶企业审批"]
    waiting = logged_in(funds.approver_cz).get("/api/v1/funds/waiting").json()
    assert [e["purpose"] for e in waiting["expenses"]] == ["课酬"] and waiting["budgets"] == []
    assert logged_in(funds.approver_qy).get("/api/v1/funds/waiting").json()["expenses"] == []
    assert logged_in(funds.approver_cz).get(f"/api/v1/funds/expenses/{expense.pk}").json()["step"] == 1


def test_the_boundary(cast, funds):
    draft = make_budget(cast)
    for outsider in (cast.liaison_a, funds.officer_b, funds.approver_qy):  # the enterprise: a draft is not yet its
        response = logged_in(outsider).get(f"/api/v1/funds/budgets/{draft.pk}")
        assert response.status_code == 404, outsider
        assert response.json()["error"]["code"]
    assert logged_in(cast.liaison_a).get("/api/v1/funds/budgets").status_code == 404
    assert logged_in(funds.officer_b).get("/api/v1/funds/budgets").json() == []
    assert logged_in(cast.officer).get("/api/v1/funds/budgets?year=1999").status_code == 422
    assert logged_in(cast.officer).get("/api/v1/funds/budgets/99999999999999999999").status_code == 404


def test_the_home_page_gauge(cast, funds):
    approved_budget(cast, funds)
    page = logged_in(funds.auditor).get("/").content.decode()
    assert "2026 年已批准预算执行" in page and "0 / 15,000 元" in page
    assert "已批准预算执行" not in logged_in(cast.liaison_a).get("/").content.decode()
