"""/api/v1/activities/: the same rules and boundaries as the pages, one JSON error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingpei.activities.models import BranchSession
from jingpei.ledger.models import LedgerEntry
from tests.activities.conftest import png_bytes

pytestmark = pytest.mark.django_db
API = "/api/v1/activities"


def body(cast, today, **kw):
    data = {"branch_id": cast.branch_a.pk, "held_on": f"{today:%Y-%m-%d}", "topic": "学习新思想", "hours": "2",
            "attendee_ids": [cast.person_a.pk, cast.person_a2.pk], "guest_names": ["村民甲"]}
    data.update(kw)
    return data


def test_create_read_update_and_summary(cast, client_as, today):
    client = client_as(cast.secretary_a)
    response = client.post(f"{API}/sessions", body(cast, today), content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["person_times"] == 3 and {a["name"] for a in created["attendees"]} == {"王小明", "李芳"}
    sid = created["id"]
    dup = client.post(f"{API}/sessions", body(cast, today), content_type="application/json")
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "duplicate"
    merged = client.post(f"{API}/sessions", body(cast, today, merge=True, guest_names=["村民乙"]),
                         content_type="application/json")
    assert merged.status_code == 200 and merged.json()["merged"] and merged.json()["guest_names"] == ["村民甲", "村民乙"]
    assert LedgerEntry.objects.count() == 2

    upd = client.put(f"{API}/sessions/{sid}", {"held_on": f"{today:%Y-%m-%d}", "topic": "学习新思想", "hours": "2",
                                              "attendee_ids": [cast.person_a.pk], "reason": "更正"},
                     content_type="application/json")
    assert upd.status_code == 200 and upd.json()["version"] == 2 and upd.json()["attendee_count"] == 1

    listing = client_as(cast.officer).get(f"{API}/sessions", {"org_id": cast.town_a.pk})
    assert listing.json()["count"] == 1
    summary = client_as(cast.officer).get(f"{API}/summary/{cast.district.pk}").json()
    assert summary["sessions"] == 1 and summary["branches"] == 2 and summary["active_branches"] == 1
    assert summary["idle_branches"] == 1
    members = client.get(f"{API}/branches/{cast.branch_a.pk}/members").json()
    assert {m["name"] for m in members} == {"王小明", "李芳"}


def test_api_errors_are_chinese_with_fields(cast, client_as, today):
    client = client_as(cast.secretary_a)
    response = client.post(f"{API}/sessions", body(cast, today + timedelta(days=1)), content_type="application/json")
    err = response.json()["error"]
    assert response.status_code == 400 and err["fields"][0]["field"] == "held_on"
    assert "日期不能晚于今天" in err["message"]
    response = client.post(f"{API}/sessions", body(cast, today, hours="13"), content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["fields"][0]["field"] == "hours"
    assert not BranchSession.objects.exists()


def test_api_boundaries(cast, client_as, today):
    sid = client_as(cast.secretary_a).post(f"{API}/sessions", body(cast, today),
                                           content_type="application/json").json()["id"]
    outsider = client_as(cast.liaison_b)
    assert outsider.get(f"{API}/sessions/{sid}").status_code == 404
    assert outsider.get(f"{API}/summary/{cast.town_a.pk}").status_code == 404
    assert outsider.get(f"{API}/branches/{cast.branch_a.pk}/members").status_code == 404
    assert outsider.get(f"{API}/sessions").json()["count"] == 0
    assert outsider.post(f"{API}/sessions", body(cast, today, topic="别的"),
                         content_type="application/json").status_code == 404
    reader = client_as(cast.liaison_a)
    assert reader.get(f"{API}/sessions/{sid}").status_code == 200
    forbidden = reader.post(f"{API}/sessions", body(cast, today, topic="别的"), content_type="application/json")
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"


def test_photo_upload_via_api(cast, client_as, today):
    client = client_as(cast.secretary_a)
    sid = client.post(f"{API}/sessions", body(cast, today), content_type="application/json").json()["id"]
    response = client.post(f"{API}/sessions/{sid}/photos",
                           {"photos": [SimpleUploadedFile("a.png", png_bytes(), "image/png")]})
    assert response.status_code == 201 and len(response.json()) == 1
    bad = client.post(f"{API}/sessions/{sid}/photos", {"photos": [SimpleUploadedFile("a.png", b"xx", "image/png")]})
    assert bad.status_code == 400 and "不是有效的图片" in bad.json()["error"]["message"]


def test_meetings_api(cast, client_as, today):
    client = client_as(cast.officer)
    response = client.post(f"{API}/meetings", {"organizer_id": cast.district.pk, "held_on": f"{today:%Y-%m-%d}",
                                              "kind": "analysis", "subject": "研判会", "hours": "3",
                                              "attendee_ids": [cast.person_a.pk]}, content_type="application/json")
    assert response.status_code == 201, response.content
    mid = response.json()["id"]
    assert client.get(f"{API}/meetings").json()["count"] == 1
    summary = client.get(f"{API}/meetings/summary").json()
    assert summary["person_times"] == 1 and summary["by_kind"][0]["kind"] == "研判会"
    assert client_as(cast.liaison_b).get(f"{API}/meetings/{mid}").status_code == 404
    assert client_as(cast.liaison_b).get(f"{API}/meetings").json()["count"] == 0
    denied = client_as(cast.secretary_a).post(
        f"{API}/meetings", {"organizer_id": cast.branch_a.pk, "held_on": f"{today:%Y-%m-%d}", "kind": "forum",
                            "subject": "x", "hours": "1", "attendee_ids": [cast.person_a.pk]},
        content_type="application/json")
    assert denied.status_code == 403
