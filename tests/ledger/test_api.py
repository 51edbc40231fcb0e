"""The JSON API: shapes, errors and the permission boundary."""

from __future__ import annotations

import json
from datetime import date

from jingpei.ledger import services
from jingpei.ledger.models import LedgerEntry, RequirementRule
from tests.ledger.leaks import make_objects

API = "/api/v1/ledger"


def test_entries_compliance_and_reverse(settled, client_as):
    cast = settled
    entry = services.credit_hours(person=cast.person_a, hours="2", form="online", occurred_on=date(2026, 3, 1),
                                  idempotency_key="api:1", title="党课").entry
    c = client_as(cast.officer)
    body = c.get(f"{API}/persons/{cast.person_a.pk}/entries").json()
    assert body["count"] == 1 and body["items"][0]["title"] == "党课" and body["items"][0]["hours"] == "2.0"
    bad = c.post(f"{API}/entries/{entry.pk}/reverse", json.dumps({"reason": " "}), content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"] == {"code": "invalid", "message": "更正须填写原因。",
                                   "fields": [{"field": "reason", "message": "更正须填写原因。"}]}
    ok = c.post(f"{API}/entries/{entry.pk}/reverse", json.dumps({"reason": "重复"}), content_type="application/json")
    assert ok.status_code == 201 and ok.json()["hours"] == "-2.0"
    results = c.get(f"{API}/persons/{cast.person_a.pk}/compliance?as_of=2026-06-30").json()
    assert {r["rule"] for r in results} >= {"网络学习每年不少于60学时"}
    summary = c.get(f"{API}/orgs/{cast.district.pk}/compliance?as_of=2026-06-30").json()
    yearly = next(s for s in summary if s["rule"] == "网络学习每年不少于60学时")
    assert yearly["total"]["covered"] == 3


def test_trainee_cannot_reverse_own_entry(settled, client_as):
    entry = services.credit_hours(person=settled.person_a, hours="2", form="online", occurred_on=date(2026, 3, 1),
                                  idempotency_key="api:1").entry
    c = client_as(settled.trainee)
    assert c.get(f"{API}/persons/{settled.person_a.pk}/entries").status_code == 200
    response = c.post(f"{API}/entries/{entry.pk}/reverse", json.dumps({"reason": "x"}), content_type="application/json")
    assert response.status_code == 403
    assert not LedgerEntry.objects.filter(reverses=entry).exists()


def test_liaison_b_gets_404(settled, client_as):
    objs = make_objects(settled)
    c = client_as(settled.liaison_b)
    pid, eid, oid, rid = (objs[k].pk for k in ("person_id", "entry_id", "org_id", "rule_id"))
    for url in [f"{API}/persons/{pid}/entries", f"{API}/persons/{pid}/compliance", f"{API}/orgs/{oid}/compliance"]:
        assert c.get(url).status_code == 404, url
    assert c.post(f"{API}/entries/{eid}/reverse", json.dumps({"reason": "x"}), content_type="application/json").status_code == 404
    assert c.patch(f"{API}/rules/{rid}", json.dumps({"active": False}), content_type="application/json").status_code == 404
    assert "甲镇机密" not in c.get(f"{API}/rules").content.decode()
    assert "甲镇机密" not in c.get(f"{API}/orgs/{settled.town_b.pk}/compliance").content.decode()


def test_switch_rule(settled, client_as):
    rule = RequirementRule.objects.get(code="online-monthly")
    response = client_as(settled.officer).patch(f"{API}/rules/{rule.pk}", json.dumps({"active": False}),
                                                content_type="application/json")
    assert response.status_code == 200 and response.json()["active"] is False
    denied = client_as(settled.liaison_a).patch(f"{API}/rules/{rule.pk}", json.dumps({"active": True}),
                                                content_type="application/json")
    assert denied.status_code == 403
    rule.refresh_from_db()
    assert not rule.active


def test_conversions_are_listed_and_changed_with_the_same_rules_as_the_page(settled, client_as):
    from jingpei.ledger.models import ConversionRule

    day = ConversionRule.objects.get(code="fulltime-day")
    officer = client_as(settled.officer)
    listed = {c["code"]: c for c in officer.get(f"{API}/conversions").json()}
    assert listed["fulltime-day"]["cap_per_source"] == "60.0" and listed["teaching"]["multiplier"] == "5.00"
    changed = officer.patch(f"{API}/conversions/{day.pk}", json.dumps({"cap_per_source": None, "hours": "7"}),
                            content_type="application/json")
    assert changed.status_code == 200, changed.content.decode()
    assert (changed.json()["cap_per_source"], changed.json()["hours"]) == (None, "7.00")
    bad = officer.patch(f"{API}/conversions/{day.pk}", json.dumps({"min_quantity": "5", "max_quantity": "1"}),
                        content_type="application/json")
    assert bad.status_code == 400  # a domain rule broken (422 is for a malformed body)
    assert bad.json()["error"]["fields"] == [{"field": "max_quantity", "message": "上限须大于下限（范围含下限、不含上限）。"}]
    too_long = officer.patch(f"{API}/conversions/{day.pk}", json.dumps({"min_quantity": "1e30", "name": "名" * 300}),
                             content_type="application/json")  # beyond the columns: named, not a server error
    assert too_long.status_code == 400 and too_long.json()["error"]["fields"][0]["field"] in ("min_quantity", "name")
    too_long = officer.patch(f"{API}/conversions/{day.pk}", json.dumps({"min_quantity": "1e30", "name": "名" * 300}),
                             content_type="application/json")  # beyond the columns: named, not a server error
    assert too_long.status_code == 400 and too_long.json()["error"]["fields"][0]["field"] in ("min_quantity", "name")
    denied = client_as(settled.liaison_a).patch(f"{API}/conversions/{day.pk}", json.dumps({"hours": "9"}), content_type="application/json")
    assert denied.status_code == 403
    day.refresh_from_db()
    assert (day.hours, day.cap_per_source, day.min_quantity) == (7, None, 0)
    officer = client_as(settled.officer)  # one test client: client_as logs it in as another user
    assert officer.patch(f"{API}/conversions/99999999", json.dumps({}), content_type="application/json").status_code == 404
