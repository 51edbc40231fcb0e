"""The home page's to-do list: each user sees what waits for them, and nothing of anyone else's."""

from __future__ import annotations

import re

from jingpei.core.todo import todos_for
from jingpei.ledger import services as ledger
from jingpei.ledger.models import ComplianceFact, RequirementRule
from jingpei.roster.models import RosterImport


def texts(user) -> list[str]:
    return [t.text for t in todos_for(user)]


def home_todos(client) -> list[str]:
    page = client.get("/").content.decode()
    return [re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(r'data-testid="todo">(.*?)</a>', page, re.S)]


def test_behind_on_a_rule_and_an_import_waiting(cast, client_as):
    rule = RequirementRule.objects.get(code="online-yearly")
    ComplianceFact.objects.create(person=cast.person_a, rule=rule, org_path=cast.branch_a.path, required=600,
                                  earned=125, status="behind")
    ComplianceFact.objects.create(person=cast.person_b, rule=rule, org_path=cast.branch_b.path, required=600,
                                  earned=0, status="behind")
    assert texts(cast.trainee) == [f"{rule.name}：还差 47.5 学时（进度落后）"]
    RosterImport.objects.create(created_by=cast.liaison_a, filename="老窝镇花名册.xlsx", stored_name="x.xlsx",
                                file_format="xlsx", category_year=2026, status=RosterImport.Status.VALIDATED)
    assert texts(cast.liaison_a) == ["花名册“老窝镇花名册.xlsx”已校验，待确认导入"]
    assert texts(cast.liaison_b) == []
    ledger.notify([cast.liaison_b], title="通知")
    assert texts(cast.liaison_b) == ["1 条未读通知"]
