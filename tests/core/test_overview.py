"""The home page's figures of the year (本年概况) in groups, and the menu in sections."""

from __future__ import annotations

import re

from jingpei.core.navigation import SECTIONS, all_items, items_for
from jingpei.ledger import standing
from jingpei.ledger.models import RequirementRule


def test_the_home_page_shows_the_figures_in_groups(cast, client_as):
    standing.rebuild()
    page = client_as(cast.officer).get("/").content.decode()
    assert "本年概况" in page
    groups = re.findall(r'data-testid="gauge-group">\s*<div class="card-header[^"]*">([^<]+)<', page)
    assert groups == ["学时达标 · 召陵区"]
    # One per rule that covers someone here: the county leaders' five-year rule covers nobody in the cast.
    assert page.count('data-testid="gauge"') == RequirementRule.objects.filter(active=True).count() - 1
    assert RequirementRule.objects.get(code="county-leader-5y").name not in page
    assert "本年概况" not in client_as(cast.system_admin).get("/").content.decode()  # nothing of theirs to show


def test_every_menu_item_names_a_section_and_sections_stay_together(cast):
    assert all(item.section in SECTIONS for item in all_items())
    items = items_for(cast.officer)
    order = [i["section"] for i in items]
    # Each heading appears in one run, in the order of SECTIONS.
    headings = [str(s) for n, s in enumerate(order) if s and (n == 0 or s != order[n - 1])]
    # Every heading once, in SECTIONS' order; all but 系统管理 (the officer administers no accounts).
    assert headings == [str(h) for key, h in SECTIONS.items() if h and key != "system"]
    assert items[0]["url"] == "/" and items[-1]["url"] == "/help/"
    mine = [str(i["label"]) for i in items_for(cast.trainee) if i["section"] == SECTIONS["mine"]]
    assert mine == ["我的学习", "我的学时", "我的培训班", "我的问卷", "我的信息", "站内通知"]


def test_the_side_menu_shows_the_headings(cast, client_as):
    page = client_as(cast.officer).get("/help/").content.decode()
    headings = re.findall(r'<div class="jp-nav-section"[^>]*>([^<]+)</div>', page)
    assert headings[:3] == ["组织与人员", "培训班", "学时管理"] and headings[-1] == "个人"
