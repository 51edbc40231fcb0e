"""A budget and an expense through the chain: in turn, returned with a reason and resubmitted, withdrawn;
separation of duties; stale decisions; the chain copied at submission."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.funds import access, services
from jingpei.funds.models import Decision, State
from jingpei.ledger.models import Notification
from tests.factories import make_org, make_user
from tests.funds.conftest import approved_budget, make_budget

pytestmark = pytest.mark.django_db


def test_a_budget_goes_through_each_party_in_turn(cast, funds):
    budget = make_budget(cast)
    assert budget.total == Decimal("15000.00") and budget.state == State.DRAFT
    services.submit(actor=cast.officer, item=budget)
    budget.refresh_from_db()
    assert (budget.state, budget.step, budget.pending_path) == (State.PENDING, 1, funds.caizheng.path)
    assert [s["name"] for s in budget.steps] == ["财政局审核", "帮扶企业审批"]
    # the enterprise's turn has not come: it sees the budget (it is on the chain) but may not decide yet
    assert access.visible_budgets(funds.approver_qy).filter(pk=budget.pk).exists()
    with pytest.raises(NotAllowed, match="不由您审批"):
        services.approve(actor=funds.approver_qy, item=budget, step=1)
    assert Notification.objects.filter(user=funds.approver_cz, title__contains="待您审批").count() == 1

    services.approve(actor=funds.approver_cz, item=budget, step=1, comment="数额合理")
    budget.refresh_from_db()
    assert (budget.state, budget.step, budget.pending_path) == (State.PENDING, 2, funds.enterprise.path)
    assert Notification.objects.filter(user=funds.approver_qy, title__contains="待您审批").count() == 1
    services.approve(actor=funds.approver_qy, item=budget, step=2)
    budget.refresh_from_db()
    assert (budget.state, budget.step, budget.pending_path) == (State.APPROVED, 0, "")
    assert budget.approved_at is not None
    assert Notification.objects.filter(user=cast.officer, title__startswith="已批准").count() == 1
    assert [(d.outcome, d.step_name, d.actor_name) for d in budget.decisions.all()] == [
        ("submit", "", "officer"), ("approve", "财政局审核", "钱审核"), ("approve", "帮扶企业审批", "approver_qy")]
    assert list(AuditLog.objects.filter(object_type="funds.budget", object_id=str(budget.pk))
                .order_by("pk").values_list("action", flat=True)) == [
        "funds.budget.create", "funds.budget.submit", "funds.budget.approve", "funds.budget.approve"]


def test_returned_with_a_reason_then_mended_and_the_whole_chain_again(cast, funds):
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    services.approve(actor=funds.approver_cz, item=budget, step=1)
    with pytest.raises(DomainError, match="退回须写明理由"):
        services.return_item(actor=funds.approver_qy, item=budget, step=2, reason=" ")
    services.return_item(actor=funds.approver_qy, item=budget, step=2, reason="食宿标准超出规定，请按每人每天 150 元重编")
    budget.refresh_from_db()
    assert budget.state == State.RETURNED and budget.editable
    note = Notification.objects.get(user=cast.officer, title__startswith="被退回")
    assert "帮扶企业审批：食宿标准超出规定" in note.body
    services.save_budget(actor=cast.officer, org=cast.district, year=2026, title="2026年培训经费", budget=budget,
                         lines=[services.LineInput(item="lodging", amount=Decimal("4500"))])
    services.submit(actor=cast.officer, item=budget)
    budget.refresh_from_db()
    assert (budget.state, budget.step, budget.total) == (State.PENDING, 1, Decimal("4500.00"))
    # the same approver may decide step 1 again in the new round
    services.approve(actor=funds.approver_cz, item=budget, step=1)
    services.approve(actor=funds.approver_qy, item=budget, step=2)
    budget.refresh_from_db()
    assert budget.state == State.APPROVED


def test_a_stale_page_cannot_decide_twice(cast, funds):
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    services.approve(actor=funds.approver_cz, item=budget, step=1)
    with pytest.raises(Conflict, match="已由他人处理"):  # the same click sent again (a double click, a back button)
        services.approve(actor=funds.approver_cz, item=budget, step=1)
    with pytest.raises(Conflict):
        services.return_item(actor=funds.approver_cz, item=budget, step=1, reason="再看看")
    budget.refresh_from_db()
    assert budget.step == 2 and budget.decisions.filter(outcome=Decision.Outcome.APPROVE).count() == 1


def test_nobody_approves_what_they_submitted_or_two_steps_of_one_item(cast, funds):
    both = make_user("approver_both", role="funds_approver", org=cast.district)  # covers both parties' orgs? no: only the district
    from jingpei.accounts import services as accounts

    accounts.grant_role(actor=None, user=both, role="funds_approver", org=funds.enterprise)
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    services.approve(actor=both, item=budget, step=1)
    with pytest.raises(NotAllowed, match="同一人不能审批两个环节"):
        services.approve(actor=both, item=budget, step=2)

    accounts.grant_role(actor=None, user=cast.officer, role="funds_approver", org=funds.caizheng)
    mine = make_budget(cast, title="自编自审")
    services.submit(actor=cast.officer, item=mine)
    with pytest.raises(NotAllowed, match="不能审批本人编制或提交的事项"):
        services.approve(actor=cast.officer, item=mine, step=1)


def test_withdraw_and_discard(cast, funds):
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    with pytest.raises(Conflict, match="只有从未提交过的草稿可以删除"):
        services.discard(actor=cast.officer, item=budget)
    services.withdraw(actor=cast.officer, item=budget)
    budget.refresh_from_db()
    assert (budget.state, budget.step, budget.pending_path) == (State.DRAFT, 0, "")
    assert not access.waiting_for(funds.approver_cz)[0].exists()
    with pytest.raises(Conflict, match="只有从未提交过的草稿可以删除"):  # it has a trail now
        services.discard(actor=cast.officer, item=budget)
    with pytest.raises(Conflict, match="不能撤回"):
        services.withdraw(actor=cast.officer, item=budget)
    fresh = make_budget(cast, title="写错了")
    services.discard(actor=cast.officer, item=fresh)
    assert not type(fresh).objects.filter(pk=fresh.pk).exists()
    assert AuditLog.objects.filter(action="funds.budget.discard", object_id=str(fresh.pk)).exists()


def test_the_chain_is_copied_at_submission(cast, funds):
    budget = make_budget(cast)
    services.submit(actor=cast.officer, item=budget)
    services.set_chain(actor=cast.officer, owner=cast.district, steps=[("只需财政局", funds.caizheng)])
    services.approve(actor=funds.approver_cz, item=budget, step=1)
    budget.refresh_from_db()
    assert budget.state == State.PENDING and budget.step == 2  # still the chain it was submitted to
    later = make_budget(cast, title="新流程下的预算")
    services.submit(actor=cast.officer, item=later)
    services.approve(actor=funds.approver_cz, item=later, step=1)
    later.refresh_from_db()
    assert later.state == State.APPROVED


def test_a_township_without_its_own_chain_uses_the_district_one_and_may_set_its_own(cast, funds):
    officer_a = make_user("officer_a", role="training_officer", org=cast.town_a)
    budget = services.save_budget(actor=officer_a, org=cast.town_a, year=2026, title="老窝镇培训经费",
                                  lines=[services.LineInput(item="teachers", amount=Decimal("3000"))])
    services.submit(actor=officer_a, item=budget)
    budget.refresh_from_db()
    assert budget.steps[0]["name"] == "财政局审核"
    town_finance = make_org(cast.town_a, "老窝镇财政所", "unit")
    services.set_chain(actor=officer_a, owner=cast.town_a, steps=[("镇财政所审核", town_finance)])
    assert [s.name for s in access.chain_for(cast.village_a)[1]] == ["镇财政所审核"]
    with pytest.raises(NotAllowed):  # the district's chain is not the township's to set
        services.set_chain(actor=officer_a, owner=cast.district, steps=[("x", town_finance)])


def test_no_chain_anywhere_says_where_to_set_one(cast):
    budget = make_budget(cast)
    with pytest.raises(DomainError, match="还没有设置经费审批流程"):
        services.submit(actor=cast.officer, item=budget)


@pytest.mark.parametrize(("steps", "message"), [
    ([], "至少要有一个环节"),
    ([(" ", "caizheng")], "第 1 个环节没有名称"),
    ([("a", "caizheng"), ("b", "caizheng")], "出现了两次"),
    ([("a", "caizheng")] * 7, "最多 6 个环节"),
])
def test_chain_mistakes(cast, funds, steps, message):
    with pytest.raises(DomainError, match=message):
        services.set_chain(actor=cast.officer, owner=cast.district,
                           steps=[(name, getattr(funds, org)) for name, org in steps])
    assert [s.name for s in access.chain_for(cast.district)[1]] == ["财政局审核", "帮扶企业审批"]  # unchanged


def test_liaisons_and_sibling_officers_cannot_write(cast, funds):
    budget = make_budget(cast)
    for outsider in (cast.liaison_a, funds.officer_b, funds.auditor, funds.approver_cz):
        with pytest.raises(NotAllowed):
            services.submit(actor=outsider, item=budget)
        with pytest.raises(NotAllowed):
            services.save_budget(actor=outsider, org=cast.district, year=2026, title="x",
                                 lines=[services.LineInput(item="teachers", amount=Decimal(1))], budget=budget)
    approved = approved_budget(cast, funds, title="已批准")
    with pytest.raises(NotAllowed):
        services.save_expense(actor=funds.officer_b, budget=approved, line=approved.lines.first(),
                              spent_on=date(2026, 6, 1), amount="100", payee="x", purpose="y")
