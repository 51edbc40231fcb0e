"""The person page's 修改记录 in words: actions, field names and values as the user knows them."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from jingpei.orgs import services
from jingpei.orgs.history import person_history
from jingpei.orgs.models import Category


def test_history_names_actions_fields_and_values(cast, client_as):
    person = cast.person_a
    cat = Category.objects.create(code="c1", name="村（社区）干部类")
    services.update_person(actor=cast.officer, person=person, rank_level="section_deputy", rank_since=date(2020, 3, 1),
                           political_status="cpc", primary_org=cast.town_a)
    services.set_categories(actor=cast.officer, person=person, year=2026, categories=[cat])
    services.archive_person(actor=cast.officer, person=person, reason="调离")
    archive, categories, update = person_history(person)[:3]
    assert archive.action == "归档" and archive.after == [("原因", "调离")]
    assert categories.action == "调整人员类别"
    assert categories.after == [("人员类别", "2026：村（社区）干部类")]
    assert update.action == "修改"
    after = dict(update.after)
    assert after["职级"] == "乡科级副职" and after["任现职级时间"] == "2020-03-01"
    assert after["政治面貌"] == "中共党员" and after["所在组织"] == cast.town_a.name
    assert "rank_level" not in str(update.after) and "section_deputy" not in str(update.after)
    page = client_as(cast.officer).get(reverse("orgs:person", args=[person.pk])).content.decode()
    assert "乡科级副职" in page and "section_deputy" not in page and "person.update" not in page


def test_history_of_an_import_and_unknown_keys_still_shows_them(cast):
    from jingpei.core import audit

    audit.record("person.import.create", cast.person_b, after={"name": "李芳", "gender": "F", "primary_org": 999999,
                                                              "categories": {"year": 2026, "ids": [424242]},
                                                              "made_up": "x"})
    [entry] = [e for e in person_history(cast.person_b) if e.action == "花名册导入：新增"]
    shown = dict(entry.after)
    assert shown["姓名"] == "李芳" and shown["性别"] == "女"
    assert shown["所在组织"] == "#999999" and shown["人员类别"] == "2026：#424242" and shown["made_up"] == "x"
