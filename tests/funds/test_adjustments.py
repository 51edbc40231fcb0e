"""Budget adjustments (预算调整): an approved budget's lines changed, and lines added, only once the whole
chain has approved the change; never below what the expenses hold; refused by name and with nothing
written when wrong; seen only by those who see the budget, and by its chain once submitted."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.funds import access, adjustments, queries, services
from jingpei.funds.adjustments import LineChange
from jingpei.funds.models import Adjustment, Budget, State
from jingpei.ledger.models import Notification
from tests.concurrency import at_once
from tests.funds.conftest import approved_budget, logged_in, make_budget, spend

pytestmark = pytest.mark.django_db




@pytest.fixture
def running(cast, funds):
    """An approved budget (师资 10,000, 食宿 5,000) with 2,000 spent on 师资 and 1,000 in the chain on 食宿."""
    budget = approved_budget(cast, funds)
    teachers, lodging = budget.lines.order_by("pk")
    spend(cast, funds, budget, teachers, "2000")
    spend(cast, funds, budget, lodging, "1000", approve=False)
    return budget, teachers, lodging


def through_the_chain(cast, funds, adjustment):
    services.submit(actor=cast.officer, item=adjustment)
    services.approve(actor=funds.approver_cz, item=adjustment, step=1)
    return services.approve(actor=funds.approver_qy, item=adjustment, step=2)


def test_the_budget_changes_only_once_the_whole_chain_has_approved(cast, funds, running):
    budget, teachers, lodging = running
    adjustment = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="增开一期致富带头人培训班", changes=[
        LineChange(teachers.pk, "１２，０００元"), LineChange(lodging.pk, "1000"),  # down to what is held, exactly
        LineChange(None, "3000", item="venue", description="县委党校报告厅")])
    assert (adjustment.total_before, adjustment.total_after) == (Decimal("15000"), Decimal("16000"))
    assert [(c["line"], c["before"], c["after"]) for c in adjustment.changes] == [
        (teachers.pk, "10000.00", "12000.00"), (lodging.pk, "5000.00", "1000.00"), (None, "0.00", "3000.00")]

    services.submit(actor=cast.officer, item=adjustment)
    services.approve(actor=funds.approver_cz, item=adjustment, step=1)
    budget.refresh_from_db()
    assert budget.total == Decimal("15000")  # in the chain: spent as it stands
    with pytest.raises(DomainError, match="结余 ¥8,000.00，本笔 ¥9,000.00"):
        services.save_expense(actor=cast.officer, budget=budget, line=teachers, spent_on=date(2026, 6, 2),
                              amount="9000", payee="党校", purpose="课酬")

    services.approve(actor=funds.approver_qy, item=adjustment, step=2)
    budget.refresh_from_db()
    assert budget.total == Decimal("16000") and budget.state == State.APPROVED
    assert [(ln.item, ln.amount) for ln in budget.lines.order_by("pk")] == [
        ("teachers", Decimal("12000")), ("lodging", Decimal("1000")), ("venue", Decimal("3000"))]
    figures = queries.figures([budget])[0]
    assert [f.remaining for f in figures.lines] == [Decimal("10000"), Decimal("0"), Decimal("3000")]
    services.save_expense(actor=cast.officer, budget=budget, line=teachers, spent_on=date(2026, 6, 2), amount="9000",
                          payee="党校", purpose="课酬")  # the new amount is what may be spent now
    change = AuditLog.objects.get(action="funds.budget.adjust")
    assert change.before["total"] == "15000.00" and change.after["total"] == "16000.00"
    assert change.after["adjustment"] == adjustment.pk
    assert Notification.objects.filter(user=cast.officer, title__startswith="已批准：预算调整").exists()
    assert list(AuditLog.objects.filter(action__startswith="funds.adjustment.").values_list("action", flat=True)
                .order_by("pk")) == ["funds.adjustment.create", "funds.adjustment.submit", "funds.adjustment.approve",
                                     "funds.adjustment.approve"]


@pytest.mark.parametrize(("reason", "changes", "message"), [
    ("", lambda t, lo: [LineChange(t.pk, "12000")], "调整须写明理由"),
    ("追加", lambda t, lo: [LineChange(t.pk, "10000"), LineChange(lo.pk, "5000")], "调整前后没有变化"),
    ("压减", lambda t, lo: [LineChange(lo.pk, "999.99")], "“食宿费 明细1”已支出和审批中的共 ¥1,000.00，调整后不能少于这个数。"),
    ("压减", lambda t, lo: [LineChange(t.pk, "-1")], "“师资费 明细0”：金额不能小于 0。"),
    ("压减", lambda t, lo: [LineChange(t.pk, "一万")], "“师资费 明细0”：金额“一万”不是数字"),
    ("新增", lambda t, lo: [LineChange(None, "300")], "新增的第 1 行：请选择科目。"),
    ("新增", lambda t, lo: [LineChange(None, "0", item="venue")], "新增的第 1 行：金额须大于 0。"),
    ("追加", lambda t, lo: [LineChange(t.pk, "99999999.99")], "调整后预算总额不能超过 99,999,999.99 元。"),
])
def test_a_wrong_adjustment_is_refused_by_name_and_writes_nothing(cast, running, reason, changes, message):
    budget, teachers, lodging = running
    with pytest.raises(DomainError, match=message.replace("(", r"\(")):
        adjustments.save_adjustment(actor=cast.officer, budget=budget, reason=reason, changes=changes(teachers, lodging))
    assert not Adjustment.objects.exists() and not AuditLog.objects.filter(action__startswith="funds.adjustment").exists()


def test_what_cannot_be_adjusted(cast, funds, running):
    budget, teachers, _lodging = running
    other = approved_budget(cast, funds, title="另一份预算")
    with pytest.raises(Conflict, match="预算明细已变化"):  # a line of another budget, posted by hand
        adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加",
                                    changes=[LineChange(other.lines.first().pk, "1")])
    with pytest.raises(Conflict, match="未批准的预算直接修改即可"):
        adjustments.save_adjustment(actor=cast.officer, budget=make_budget(cast), reason="追加",
                                    changes=[LineChange(None, "1", item="venue")])
    with pytest.raises(NotAllowed):
        adjustments.save_adjustment(actor=funds.officer_b, budget=budget, reason="追加",
                                    changes=[LineChange(teachers.pk, "12000")])
    first = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加",
                                        changes=[LineChange(teachers.pk, "12000")])
    with pytest.raises(Conflict, match="已有一项调整在办理中"):
        adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="再追加",
                                    changes=[LineChange(teachers.pk, "13000")])
    through_the_chain(cast, funds, first)
    with pytest.raises(Conflict, match="不能再修改"):
        adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="改为一万一", adjustment=first,
                                    changes=[LineChange(teachers.pk, "11000")])
    second = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="再追加",  # once applied, the next
                                         changes=[LineChange(teachers.pk, "13000")])
    assert (second.total_before, second.total_after) == (Decimal("17000"), Decimal("18000"))


def test_expenses_booked_meanwhile_stop_a_cut_that_no_longer_fits(cast, funds, running):
    budget, teachers, _lodging = running
    cut = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="压减师资费",
                                      changes=[LineChange(teachers.pk, "3000")])
    services.submit(actor=cast.officer, item=cut)
    services.approve(actor=funds.approver_cz, item=cut, step=1)
    spend(cast, funds, budget, teachers, "1500", approve=False)  # 3,500 now held on a line cut to 3,000
    with pytest.raises(DomainError, match="已支出和审批中的共 ¥3,500.00.*请退回给预算单位修改"):
        services.approve(actor=funds.approver_qy, item=cut, step=2)
    cut.refresh_from_db()
    assert cut.state == State.PENDING and Budget.objects.get(pk=budget.pk).total == Decimal("15000")
    services.return_item(actor=funds.approver_qy, item=cut, step=2, reason="师资费已超出压减后的金额")
    mended = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="压减师资费", adjustment=cut,
                                         changes=[LineChange(teachers.pk, "3500")])
    assert through_the_chain(cast, funds, mended).state == State.APPROVED
    assert Budget.objects.get(pk=budget.pk).total == Decimal("8500")


def test_a_draft_is_withdrawn_or_discarded_and_its_author_never_approves_it(cast, funds, running):
    budget, teachers, _lodging = running
    draft = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加",
                                        changes=[LineChange(teachers.pk, "12000")])
    services.discard(actor=cast.officer, item=draft)
    assert not Adjustment.objects.exists()
    again = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加",
                                        changes=[LineChange(teachers.pk, "12000")])
    services.submit(actor=cast.officer, item=again)
    assert services.withdraw(actor=cast.officer, item=again).state == State.DRAFT
    with pytest.raises(Conflict, match="只有从未提交过的草稿可以删除"):
        services.discard(actor=cast.officer, item=again)


def test_who_sees_an_adjustment(cast, funds, running, client_as):
    budget, teachers, _lodging = running
    draft = adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加师资",
                                        changes=[LineChange(teachers.pk, "12000")])
    assert not access.visible_adjustments(funds.approver_qy).exists()  # a draft stays with its organisation
    services.submit(actor=cast.officer, item=draft)
    assert list(access.visible_adjustments(funds.approver_qy)) == [draft]  # the enterprise, on the chain
    assert access.waiting_for(funds.approver_cz)[2].get() == draft
    for user in (funds.officer_b, cast.liaison_a, cast.trainee):
        assert logged_in(user).get(f"/funds/adjustments/{draft.pk}/").status_code == 404
        assert logged_in(user).get(f"/api/v1/funds/adjustments/{draft.pk}").status_code == 404
    assert logged_in(funds.officer_b).get(f"/funds/budgets/{budget.pk}/adjustments/new/").status_code == 404
    auditor = logged_in(funds.auditor).get(f"/funds/adjustments/{draft.pk}/").content.decode()
    assert "追加师资" in auditor and 'data-testid="decide"' not in auditor and 'data-testid="submit"' not in auditor


def test_the_pages_from_the_budget_to_the_approval(cast, funds, running):
    budget, teachers, lodging = running
    officer = logged_in(cast.officer)
    page = officer.get(f"/funds/budgets/{budget.pk}/").content.decode()
    assert 'data-testid="adjust"' in page and "没有调整过" in page
    form = officer.get(f"/funds/budgets/{budget.pk}/adjustments/new/")
    assert form.status_code == 200 and "1,000.00" in form.content.decode()  # what 食宿 holds, beside it
    rows = {"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "2", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "60",
            "lines-0-line": teachers.pk, "lines-0-amount": "12000", "lines-1-line": lodging.pk, "lines-1-amount": "500",
            "lines-2-item": "", "lines-2-description": "报告厅", "lines-2-amount": "abc", "reason": ""}
    refused = officer.post(f"/funds/budgets/{budget.pk}/adjustments/new/", rows).content.decode()
    assert "调整须写明理由" in refused and "请选择科目。" in refused and "金额“abc”不是数字" in refused  # one round
    assert not Adjustment.objects.exists()
    rows.update({"lines-2-item": "venue", "lines-2-amount": "3000", "reason": "增开一期培训班"})
    refused = officer.post(f"/funds/budgets/{budget.pk}/adjustments/new/", rows).content.decode()
    assert "已支出和审批中的共 ¥1,000.00，调整后不能少于这个数" in refused and not Adjustment.objects.exists()
    rows["lines-1-amount"] = "5000"
    saved = officer.post(f"/funds/budgets/{budget.pk}/adjustments/new/", rows)
    adjustment = Adjustment.objects.get()
    assert saved.url == f"/funds/adjustments/{adjustment.pk}/" and adjustment.total_after == Decimal("20000")
    assert officer.get(f"/funds/budgets/{budget.pk}/adjustments/new/").url == saved.url  # one at a time
    detail = officer.get(saved.url).content.decode()
    assert "15,000.00 → 20,000.00" in detail and "+2,000.00" in detail and "县委党校" not in detail
    edit = officer.get(f"/funds/adjustments/{adjustment.pk}/edit/").content.decode()
    assert 'value="12000.00"' in edit and 'value="报告厅"' in edit  # as planned, the new line too
    officer.post(f"/funds/adjustments/{adjustment.pk}/act/", {"action": "submit"})

    cz = logged_in(funds.approver_cz)
    assert "预算调整" in cz.get("/funds/approvals/").content.decode()
    assert "2 项经费事项待您审批" in cz.get("/").content.decode()  # with 食宿's expense
    assert cz.get("/api/v1/funds/waiting").json()["adjustments"][0]["total_after"] == "20000.00"
    cz.post(f"/funds/adjustments/{adjustment.pk}/act/", {"action": "approve", "step": "1", "comment": "同意"})
    logged_in(funds.approver_qy).post(f"/funds/adjustments/{adjustment.pk}/act/", {"action": "approve", "step": "2"})
    assert Budget.objects.get(pk=budget.pk).total == Decimal("20000")
    history = officer.get(f"/funds/budgets/{budget.pk}/").content.decode()
    assert "批准执行" in history and 'data-testid="adjust"' in history  # the next may be drawn up
    book = load_workbook(io.BytesIO(logged_in(funds.auditor).get("/funds/export/?year=2026").content))
    row = list(book["预算调整"].iter_rows(values_only=True))[1]
    assert row[3:8] == ("增开一期培训班", 15000, 20000, 5000, "已批准")
    assert row[9] == "师资费 明细0 10,000.00 → 12,000.00；场地费 报告厅 0.00 → 3,000.00"
    api = officer.get(f"/api/v1/funds/budgets/{budget.pk}/adjustments").json()
    assert [(c["line"], c["after"]) for c in api[0]["changes"]] == [(teachers.pk, "12000.00"), (None, "3000.00")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_adjustments_drawn_up_at_once_make_one(cast, funds):
    budget = approved_budget(cast, funds)
    line = budget.lines.order_by("pk").first()
    outcomes = at_once(*[lambda n=n: adjustments.save_adjustment(actor=cast.officer, budget=budget, reason=f"追加{n}",
                                                                 changes=[LineChange(line.pk, str(11000 + n))])
                         for n in range(2)])
    assert outcomes == ["Conflict", "done"] and Adjustment.objects.count() == 1
