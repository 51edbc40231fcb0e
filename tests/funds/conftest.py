"""The funds' cast on top of the shared one: a two-party chain set by the district officer (区财政局, then
the assisting enterprise, a unit elsewhere in the tree), one approver each, an auditor, and the training
officer of township B (a funds manager whose subtree holds none of A's or the district's money)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from jingpei.core.permissions import Role
from jingpei.funds import services
from jingpei.funds.models import Budget
from jingpei.funds.services import LineInput
from tests.factories import make_org, make_person, make_user

TODAY = date(2026, 6, 15)


@dataclass
class Funds:
    caizheng: object
    enterprise: object
    approver_cz: object
    approver_qy: object
    auditor: object
    officer_b: object


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 6, 15), tick=False):
        yield


@pytest.fixture
def funds(cast) -> Funds:
    caizheng = make_org(cast.district, "区财政局", "unit")
    enterprise_root = make_org(None, "帮扶集团", "district")
    enterprise = make_org(enterprise_root, "帮扶企业扶贫办", "unit")
    f = Funds(
        caizheng=caizheng, enterprise=enterprise,
        approver_cz=make_user("approver_cz", role=Role.FUNDS_APPROVER, org=caizheng,
                              person=make_person(caizheng, "钱审核")),
        approver_qy=make_user("approver_qy", role=Role.FUNDS_APPROVER, org=enterprise),
        auditor=make_user("auditor", role=Role.AUDITOR, org=cast.district),
        officer_b=make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b),
    )
    services.set_chain(actor=cast.officer, owner=cast.district,
                       steps=[("财政局审核", caizheng), ("帮扶企业审批", enterprise)])
    return f


def lines(*amounts: str) -> list[LineInput]:
    items = ["teachers", "lodging", "venue", "materials"]
    return [LineInput(item=items[n % 4], amount=Decimal(a), description=f"明细{n}") for n, a in enumerate(amounts)]


def make_budget(cast, org=None, *, title="2026年培训经费", amounts=("10000", "5000"), year=2026) -> Budget:
    return services.save_budget(actor=cast.officer, org=org or cast.district, year=year, title=title, lines=lines(*amounts))


def approved_budget(cast, funds, org=None, **kw) -> Budget:
    budget = make_budget(cast, org, **kw)
    services.submit(actor=cast.officer, item=budget)
    services.approve(actor=funds.approver_cz, item=budget, step=1)
    return services.approve(actor=funds.approver_qy, item=budget, step=2)


def spend(cast, funds, budget, line, amount: str, *, approve: bool = True):
    """An expense of ``amount`` on ``line``, submitted and (unless ``approve`` is false) approved at both steps."""
    expense = services.save_expense(actor=cast.officer, budget=budget, line=line, spent_on=date(2026, 6, 1),
                                    amount=amount, payee="区委党校", purpose="授课酬金")
    expense = services.submit(actor=cast.officer, item=expense)
    if approve:
        services.approve(actor=funds.approver_cz, item=expense, step=1)
        expense = services.approve(actor=funds.approver_qy, item=expense, step=2)
    return expense


def logged_in(user) -> Client:
    """A client of its own for ``user`` (``client_as`` shares one: these tests hold several at once)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def year(cast, funds):
    """An approved budget of 2026 to close: 师资 10,000 with 2,000 spent, 食宿 5,000 spent whole (8,000 left);
    (budget, its 师资 line, the 2,000 expense)."""
    budget = approved_budget(cast, funds)
    teachers, lodging = budget.lines.order_by("pk")
    paid = spend(cast, funds, budget, teachers, "2000")
    spend(cast, funds, budget, lodging, "5000")
    return budget, teachers, paid


def takes_nothing_more(cast, budget, line, paid, closed: str) -> None:
    """A budget closed at year end refuses, saying ``closed``: an expense, a reversal of ``paid``, an
    adjustment, and being closed again."""
    from jingpei.core.errors import Conflict
    from jingpei.funds import adjustments, carryover
    from jingpei.funds.adjustments import LineChange

    with pytest.raises(Conflict, match=closed):
        services.save_expense(actor=cast.officer, budget=budget, line=line, spent_on=date(2026, 12, 1),
                              amount="100", payee="党校", purpose="迟到的发票")
    with pytest.raises(Conflict, match=closed):
        services.reverse_expense(actor=cast.officer, expense=paid, reason="重复报销")
    with pytest.raises(Conflict, match=closed):
        adjustments.save_adjustment(actor=cast.officer, budget=budget, reason="追加", changes=[LineChange(line.pk, "12000")])
    with pytest.raises(Conflict, match=closed):
        carryover.carry_over(actor=cast.officer, budget=budget)
