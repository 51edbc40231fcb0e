"""Steps taken only above an amount (大额事项加审): with 帮扶企业审批 set from 100,000 yuan, a budget, expense
or adjustment below it goes to 区财政局 only, one at or above it to both; a threshold that cannot be read,
or one on the first step, is refused by name and the chain is left as it was."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingpei.core.errors import DomainError
from jingpei.funds import adjustments, services
from jingpei.funds.adjustments import LineChange
from jingpei.funds.models import ApprovalStep, State
from tests.funds.conftest import logged_in, make_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def large_to_the_enterprise(cast, funds):
    return services.set_chain(actor=cast.officer, owner=cast.district,
                              steps=[("财政局审核", funds.caizheng), ("帮扶企业审批", funds.enterprise, "100,000")])


def names(item) -> list[str]:
    return [s["name"] for s in item.steps]


def test_each_item_takes_the_steps_its_amount_reaches(cast, funds, large_to_the_enterprise):
    assert [s.min_amount for s in large_to_the_enterprise] == [None, Decimal("100000")]
    small = services.submit(actor=cast.officer, item=make_budget(cast, amounts=("60000", "39999.99")))
    assert names(small) == ["财政局审核"]
    assert services.approve(actor=funds.approver_cz, item=small, step=1).state == State.APPROVED
    large = services.submit(actor=cast.officer, item=make_budget(cast, title="大额预算", amounts=("60000", "40000")))
    assert names(large) == ["财政局审核", "帮扶企业审批"]  # 100,000 exactly: at or above
    services.approve(actor=funds.approver_cz, item=large, step=1)
    large = services.approve(actor=funds.approver_qy, item=large, step=2)

    line = large.lines.order_by("pk").first()
    expense = services.save_expense(actor=cast.officer, budget=large, line=line, spent_on=date(2026, 6, 1), amount="5000",
                                    payee="党校", purpose="课酬")
    expense = services.submit(actor=cast.officer, item=expense)
    assert names(expense) == ["财政局审核"]
    expense = services.approve(actor=funds.approver_cz, item=expense, step=1)
    assert names(services.reverse_expense(actor=cast.officer, expense=expense, reason="重复报销")) == ["财政局审核"]

    raise_ = adjustments.save_adjustment(actor=cast.officer, budget=small, reason="挪用场地费给师资", changes=[
        LineChange(small.lines.order_by("pk")[0].pk, "160000"), LineChange(small.lines.order_by("pk")[1].pk, "0")])
    assert raise_.weighed_amount == Decimal("100000")  # what it raises, though the total grows by 60,000.01 only
    assert names(services.submit(actor=cast.officer, item=raise_)) == ["财政局审核", "帮扶企业审批"]


@pytest.mark.parametrize(("threshold", "message"), [
    ("十万", "第 2 个环节的起审金额：金额“十万”不是数字"),
    ("0", "第 2 个环节的起审金额：金额须大于 0。"),
    ("-5", "第 2 个环节的起审金额：金额须大于 0。"),
])
def test_a_threshold_that_cannot_be_read_is_refused(cast, funds, large_to_the_enterprise, threshold, message):
    with pytest.raises(DomainError, match=message):
        services.set_chain(actor=cast.officer, owner=cast.district,
                           steps=[("财政局审核", funds.caizheng), ("帮扶企业审批", funds.enterprise, threshold)])
    assert [s.min_amount for s in ApprovalStep.objects.filter(owner=cast.district)] == [None, Decimal("100000")]


def test_the_first_step_takes_every_item(cast, funds):
    with pytest.raises(DomainError, match="第 1 个环节审批所有金额的事项，不能设起审金额"):
        services.set_chain(actor=cast.officer, owner=cast.district, steps=[("财政局审核", funds.caizheng, "1000")])
    assert list(ApprovalStep.objects.values_list("name", "min_amount")) == [("财政局审核", None), ("帮扶企业审批", None)]


def test_the_chain_page_sets_and_shows_a_threshold(cast, funds):
    officer = logged_in(cast.officer)
    rows = {"owner": cast.district.pk, "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "6", "steps-0-name": "财政局审核", "steps-0-approver_org": funds.caizheng.pk,
            "steps-1-name": "帮扶企业审批", "steps-1-approver_org": funds.enterprise.pk, "steps-1-min_amount": "10万"}
    refused = officer.post("/funds/chain/", rows).content.decode()
    assert "金额“10万”不是数字" in refused and ApprovalStep.objects.get(position=2).min_amount is None
    rows["steps-1-min_amount"] = "１００，０００元"
    assert officer.post("/funds/chain/", rows).status_code == 302
    assert ApprovalStep.objects.get(position=2).min_amount == Decimal("100000")
    chain = officer.get("/funds/chain/").content.decode()
    assert 'value="100000.00"' in chain and 'data-testid="first-step-all"' in chain  # step 1: every amount, no field
    assert 'name="steps-0-min_amount"' not in chain
    budget = make_budget(cast)
    assert "帮扶企业审批（100,000.00 元及以上）" in officer.get(f"/funds/budgets/{budget.pk}/").content.decode().replace(
        '<span class="text-muted">', "").replace("</span>", "")
