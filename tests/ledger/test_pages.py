"""Pages: the person record, corrections, the subtree compliance with drill-down and export, rules,
and the permission boundary (liaison_b never sees township A)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jingpei.ledger import services
from jingpei.ledger.models import Exemption, LedgerEntry, RequirementRule
from tests.ledger.leaks import make_objects


def credit(person, key, hours, form="online", day=date(2026, 3, 5), title="乡村振兴"):
    return services.credit_hours(person=person, hours=hours, form=form, occurred_on=day, idempotency_key=key,
                                 title=title).entry


def test_person_page_shows_entries_and_corrections(settled, client_as):
    cast = settled
    entry = credit(cast.person_a, "p:1", "3", title="扶贫产业课程")
    c = client_as(cast.officer)
    response = c.post(reverse("ledger:reverse", args=[entry.pk]), {"reason": "重复登记"})
    assert response.status_code == 302
    page = c.get(reverse("ledger:person", args=[cast.person_a.pk]) + "?year=2026").content.decode()
    assert "扶贫产业课程" in page and "重复登记" in page and "-3.0" in page
    section = c.get(reverse("ledger:person_section", args=[cast.person_a.pk])).content.decode()
    assert "重复登记" in section


def test_trainee_sees_own_record_but_cannot_correct(settled, client_as):
    cast = settled
    entry = credit(cast.person_a, "p:1", "3")
    c = client_as(cast.trainee)
    assert c.get(reverse("ledger:me")).url == reverse("ledger:person", args=[cast.person_a.pk])
    page = c.get(reverse("ledger:person", args=[cast.person_a.pk]) + "?as_of=2026-03-31").content.decode()
    # hours to the tenth on both sides of the slash (3 earned once showed as "3 / 60.0")
    assert '<span class="fs-5 text-nowrap">3.0 / 60.0</span>' in page
    assert c.post(reverse("ledger:reverse", args=[entry.pk]), {"reason": "x"}).status_code == 403
    assert not LedgerEntry.objects.filter(reverses=entry).exists()
    assert c.get(reverse("ledger:person", args=[cast.person_a2.pk])).status_code == 404


def test_correction_without_reason_writes_nothing(settled, client_as):
    entry = credit(settled.person_a, "p:1", "3")
    client_as(settled.officer).post(reverse("ledger:reverse", args=[entry.pk]), {"reason": ""})
    assert LedgerEntry.objects.count() == 1


def test_liaison_b_gets_404_on_everything_of_a(settled, client_as):
    objs = make_objects(settled)
    c = client_as(settled.liaison_b)
    pid, eid, oid, rid, bid = (objs[k].pk for k in ("person_id", "entry_id", "org_id", "rule_id", "batch_id"))
    for url in [
        reverse("ledger:person", args=[pid]), reverse("ledger:person_section", args=[pid]),
        reverse("ledger:record_pdf", args=[pid]), reverse("ledger:record_xlsx", args=[pid]),
        reverse("ledger:org", args=[oid]), reverse("ledger:org_rule", args=[oid, rid]),
        reverse("ledger:import", args=[bid]), reverse("ledger:archive", args=[objs["job_id"].pk]),
    ]:
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("ledger:reverse", args=[eid]), {"reason": "x"}).status_code == 404
    assert c.post(reverse("ledger:exemption_new", args=[pid]), {}).status_code == 404
    assert c.get(reverse("ledger:rule", args=[rid])).status_code == 404
    rules = c.get(reverse("ledger:rules"))
    assert rules.status_code == 200 and "甲镇机密" not in rules.content.decode()
    own = c.get(reverse("ledger:org", args=[settled.town_b.pk])).content.decode()
    assert "甲镇机密" not in own and "王小明" not in own


def test_subtree_compliance_drill_down_and_export(settled, client_as):
    cast = settled
    credit(cast.person_a, "a:1", "40", day=date(2026, 2, 1))
    credit(cast.person_a2, "a2:1", "5", day=date(2026, 2, 1))
    credit(cast.person_b, "b:1", "70", day=date(2026, 2, 1))
    rule = RequirementRule.objects.get(code="online-yearly")
    c = client_as(cast.officer)
    page = c.get(reverse("ledger:org", args=[cast.district.pk]) + "?as_of=2026-06-30")
    assert page.status_code == 200
    text = page.content.decode()
    assert "老窝镇" in text and "万金镇" in text
    drill = c.get(reverse("ledger:org_rule", args=[cast.district.pk, rule.pk]) + "?as_of=2026-06-30").content.decode()
    assert "李芳" in drill and "王小明" not in drill and "赵秘密" not in drill
    on_track = c.get(reverse("ledger:org_rule", args=[cast.district.pk, rule.pk]) + "?as_of=2026-06-30&status=on_track")
    names = [p.name for p, _r in on_track.context["page"]]
    assert names == ["王小明"]
    child = c.get(reverse("ledger:org_rule", args=[cast.district.pk, rule.pk])
                  + f"?as_of=2026-06-30&status=all&child={cast.town_b.path}")
    assert [p.name for p, _r in child.context["page"]] == ["赵秘密"]
    export = c.get(reverse("ledger:org_rule", args=[cast.district.pk, rule.pk]) + "?as_of=2026-06-30&status=all&format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["王小明", "李芳", "赵秘密"])
    # liaison_a's export of the same rule in A holds A's people only
    export = client_as(cast.liaison_a).get(
        reverse("ledger:org_rule", args=[cast.town_a.pk, rule.pk]) + "?status=all&format=xlsx&as_of=2026-06-30")
    names = [row[0] for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["王小明", "李芳"])


def test_rules_page_switches_a_preset(settled, client_as):
    rule = RequirementRule.objects.get(code="online-monthly")
    c = client_as(settled.officer)
    page = c.get(reverse("ledger:rules")).content.decode()
    assert "网络学习每月不少于5学时" in page
    assert "<title>学时规则 · 精准培训平台</title>" in page  # the tab's title, not the conversions table
    assert page.count('data-testid="conversions"') == 1
    c.post(reverse("ledger:rule_switch", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert not rule.active
    # a liaison may read rules but not manage them
    assert client_as(settled.liaison_a).post(reverse("ledger:rule_switch", args=[rule.pk]), {"active": "1"}).status_code == 403
    rule.refresh_from_db()
    assert not rule.active


def test_rule_form_errors_are_in_chinese_and_write_nothing(settled, client_as):
    c = client_as(settled.officer)
    before = RequirementRule.objects.count()
    response = c.post(reverse("ledger:rule_new"), {"name": "季度规则", "period_kind": "quarter", "period_years": 1,
                                                   "cycle_start_year": 2023, "grace_years": 0, "min_days": "3"})
    assert "按天计算时须填写每天折合学时。" in response.content.decode()
    assert RequirementRule.objects.count() == before
    response = c.post(reverse("ledger:rule_new"), {"name": "季度规则", "period_kind": "quarter", "period_years": 1,
                                                   "cycle_start_year": 2023, "grace_years": 0, "min_hours": "15",
                                                   "forms": ["online"], "active": "on"})
    assert response.status_code == 302
    assert RequirementRule.objects.get(name="季度规则").forms == ["online"]


def test_exemption_needs_reason_and_manager(settled, client_as):
    cast = settled
    url = reverse("ledger:exemption_new", args=[cast.person_a.pk])
    data = {"kind": "illness", "starts_on": "2026-03-01", "ends_on": "2026-05-31", "reason": ""}
    client_as(cast.officer).post(url, data)
    assert not Exemption.objects.exists()
    assert client_as(cast.liaison_a).post(url, {**data, "reason": "病休"}).status_code == 403
    client_as(cast.officer).post(url, {**data, "reason": "病休"})
    exemption = Exemption.objects.get()
    assert exemption.approved_by == cast.officer and exemption.reason == "病休"


@pytest.mark.parametrize("name", ["ledger:rules", "ledger:import_upload", "ledger:notifications"])
def test_pages_render(settled, client_as, name):
    assert client_as(settled.officer).get(reverse(name)).status_code == 200


def test_page_query_counts_do_not_grow_with_data(settled, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_person, numbered

    c = client_as(settled.officer)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx)

    org_url = reverse("ledger:org", args=[settled.district.pk]) + "?as_of=2026-06-30"
    person_url = reverse("ledger:person", args=[settled.person_a.pk]) + "?year=2026"
    credit(settled.person_a, "q:first", "1")
    before = count(org_url), count(person_url)
    for i in range(8):
        p = make_person(settled.branch_a, numbered("新", i))
        credit(p, f"q:{i}", "2")
        credit(settled.person_a, f"qa:{i}", "1", day=date(2026, 1 + i, 3))
    from datetime import UTC, datetime

    from jingpei.orgs.models import Person

    Person.objects.update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert (count(org_url), count(person_url)) == before


def test_rule_limited_to_a_subtree(settled, client_as):
    c = client_as(settled.officer)
    data = {"name": "老窝镇网络学习", "period_kind": "year", "period_years": 1, "cycle_start_year": 2023,
            "grace_years": 0, "min_hours": "20", "org": settled.town_a.pk, "active": "on"}
    assert c.post(reverse("ledger:rule_new"), data).status_code == 302
    rule = RequirementRule.objects.get(name="老窝镇网络学习")
    assert rule.org == settled.town_a
    assert "老窝镇网络学习" not in client_as(settled.liaison_b).get(reverse("ledger:rules")).content.decode()
    assert "老窝镇网络学习" in client_as(settled.liaison_a).get(reverse("ledger:rules")).content.decode()
    page = c.get(reverse("ledger:rules")).content.decode()
    assert "网络课程30分钟及以上计1学时" in page  # conversion rules are listed


def test_the_person_page_speaks_the_users_language_in_its_figures_too(settled, client_as):
    """Periods and the monthly chart's months were built as Chinese text in Python: in English they
    showed 2026年3月 beside English words."""
    from jingpei.ledger.compliance import today

    cast = settled
    credit(cast.person_a, "p:lang", "3")
    c = client_as(cast.officer)
    url = reverse("ledger:person", args=[cast.person_a.pk])
    month = today()  # the monthly rule's period is this month
    page = c.get(url).content.decode()
    assert "&quot;3月&quot;" in page and f"{month.year}年{month.month}月" in page
    c.cookies["django_language"] = "en"
    page = c.get(url).content.decode()
    assert "&quot;Month 3&quot;" in page and f"{month:%Y-%m}" in page and f"{month.year}年{month.month}月" not in page
