"""The demo district builds end to end (every capability's demo on top) and its compliance pages
open on the materialised figures."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingpei.demo.builder import build_everything
from jingpei.ledger import standing
from jingpei.ledger.demo import CADRE_CATEGORIES
from jingpei.ledger.models import ComplianceState
from jingpei.orgs.models import Organization

pytestmark = pytest.mark.django_db


def test_the_demo_builds_and_materialises_compliance():
    lines: list[str] = []
    result = build_everything(people=300, log=lines.append)
    assert result["activities"]["sessions"] > 0 and result["classes"]
    state = ComplianceState.objects.get(pk=1)
    assert not state.stale
    district = Organization.objects.get(name="召陵区", kind="district")
    figures = standing.summary(district)
    assert figures is not None and figures.as_of == state.as_of
    assert sum(s.total.covered + s.total.exempt for s in figures.summaries) > 0
    # a year of online study: the online rules show people who met them and people behind
    online = [s for s in figures.summaries if "网络学习" in s.rule.name]
    assert online and all(s.total.met > 0 and s.total.behind > 0 for s in online)
    assert any(line.startswith("学时达标统计") for line in lines)
    # the regulations' full-time rule covers the cadres, not every party member and wealth leader
    fulltime = next(s for s in figures.summaries if s.rule.code == "fulltime-yearly")
    online_yearly = next(s for s in figures.summaries if s.rule.code == "online-yearly")
    assert 0 < fulltime.total.covered + fulltime.total.exempt < online_yearly.total.covered + online_yearly.total.exempt
    assert set(fulltime.rule.categories.values_list("code", flat=True)) == set(CADRE_CATEGORIES)
    assert any(line.startswith("学时规则“年度集中培训") for line in lines)

    # the funds: an approved year, next year's draft, something waiting for each of the three approvers
    from jingpei.accounts.models import User
    from jingpei.funds import access, queries
    from jingpei.funds.models import Budget, State

    assert result["funds"]["budgets"] == 5 and any(line.startswith("培训经费") for line in lines)
    this_year = list(Budget.objects.filter(state=State.APPROVED, year=timezone.localdate().year))
    assert len(this_year) == 3 and all(f.approved > 0 for f in queries.figures(this_year))
    settled = Budget.objects.get(year=timezone.localdate().year - 1)  # last year's, closed with its balance returned
    assert settled.closed and settled.returned == queries.figures([settled])[0].remaining == 310000 - 191100
    for username in ("approver", "approver2", "approver3"):
        budgets, expenses, adjustments = access.waiting_for(User.objects.get(username=username))
        assert expenses.count() == 1 and adjustments.count() == (username == "approver"), username
    main = Budget.objects.get(title__endswith="年干部教育培训经费", state=State.APPROVED, year=timezone.localdate().year)
    assert main.total == 800000 + 30000 + 36000 and main.adjustments.get().state == State.APPROVED
    assert access.returned_to(User.objects.get(username="officer"))[1].count() == 1
