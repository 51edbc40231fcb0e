"""Funds across the boundary: township B's officer (a funds manager), an approver and an auditor granted
over B see nothing of A's budgets and expenses, and can change none of them; an approver of A's chain
sees what reaches it, never A's drafts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from jingpei.core.permissions import Role
from jingpei.funds import access, services
from jingpei.funds.models import Budget, Expense, State
from tests.factories import make_org, make_user
from tests.funds.leaks import make_objects

pytestmark = pytest.mark.django_db
MARKER = "甲镇机密"


def test_township_b_sees_and_changes_nothing_of_a(cast, client_as):
    objs = {k: v.pk for k, v in make_objects(cast).items()}
    outsiders = [make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b),
                 make_user("approver_b", role=Role.FUNDS_APPROVER, org=cast.town_b),
                 make_user("auditor_b", role=Role.AUDITOR, org=cast.town_b)]
    for user in outsiders:
        client = client_as(user)
        for name in ("budget", "budget_edit", "expense_new"):
            assert client.get(reverse(f"funds:{name}", args=[objs["budget_id"]])).status_code == 404, (user, name)
        for name in ("expense", "expense_edit"):
            assert client.get(reverse(f"funds:{name}", args=[objs["expense_id"]])).status_code == 404, (user, name)
        assert client.get(reverse("funds:invoice", args=[objs["invoice_id"]])).status_code == 404
        assert client.post(reverse("funds:invoice_delete", args=[objs["invoice_id"]])).status_code == 404
        assert client.post(reverse("funds:invoices_add", args=[objs["expense_id"]])).status_code == 404
        for action in ("submit", "withdraw", "approve", "return", "discard", "void", "carry_over", "settle", "reopen"):
            assert client.post(reverse("funds:budget_act", args=[objs["budget_id"]]),
                               {"action": action, "step": 1, "comment": "乙镇", "reason": "乙镇",
                                "settle_note": "乙镇"}).status_code == 404
            assert client.post(reverse("funds:expense_act", args=[objs["expense_id"]]),
                               {"action": action, "step": 1, "comment": "乙镇"}).status_code == 404
        for url in ("/funds/", "/funds/export/", "/funds/approvals/", "/funds/chain/", "/"):
            response = client.get(url)
            body = response.content.decode("utf-8", errors="ignore")
            assert MARKER not in body, (user, url)
    expense = Expense.objects.get(pk=objs["expense_id"])
    assert (expense.state, expense.step) == (State.PENDING, 1)
    assert not Budget.objects.filter(title__contains="乙镇").exists()


def test_approvers_see_what_their_chain_brings_never_drafts(cast):
    officer = cast.officer
    enterprise = make_org(make_org(None, "帮扶集团", "district"), "帮扶企业", "unit")
    approver = make_user("approver_qy", role=Role.FUNDS_APPROVER, org=enterprise)
    services.set_chain(actor=officer, owner=cast.district, steps=[("帮扶企业审批", enterprise)])
    draft = services.save_budget(actor=officer, org=cast.district, year=date.today().year, title="草稿",
                                 lines=[services.LineInput(item="teachers", amount=Decimal(1))])
    assert not access.visible_budgets(approver).exists()
    assert access.can_view_funds(approver)
    services.submit(actor=officer, item=draft)
    assert list(access.visible_budgets(approver)) == [draft]
    services.withdraw(actor=officer, item=draft)
    # once submitted it stays on the chain's record (the trail shows the approver what it saw)
    assert list(access.visible_budgets(approver)) == [draft]
    other_root_budget_seen = access.visible_budgets(make_user("nobody", role=Role.FUNDS_APPROVER, org=cast.town_b))
    assert not other_root_budget_seen.exists()
