"""Our own run of the lead's leak check: every activities URL and API route, as liaison_b, with ids of
objects of township A, must neither answer 200 with A's marker nor list it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.activities.leaks import make_objects

pytestmark = pytest.mark.django_db
MARKER = "甲镇机密"


def test_nothing_of_a_reaches_liaison_b(cast, client_as):
    objs = {k: v.pk for k, v in make_objects(cast).items()}
    client = client_as(cast.liaison_b)
    pages = [
        reverse("activities:org", args=[objs["org_id"]]), reverse("activities:export", args=[objs["org_id"]]),
        reverse("activities:session_new", args=[objs["org_id"]]),
        reverse("activities:session", args=[objs["session_id"]]),
        reverse("activities:session_edit", args=[objs["session_id"]]),
        reverse("activities:photo", args=[objs["photo_id"]]),
        reverse("activities:meeting", args=[objs["meeting_id"]]),
        f"/api/v1/activities/sessions/{objs['session_id']}", f"/api/v1/activities/meetings/{objs['meeting_id']}",
        f"/api/v1/activities/summary/{objs['org_id']}", f"/api/v1/activities/branches/{objs['org_id']}/members",
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    for url in [reverse("activities:index"), reverse("activities:meetings"),
                reverse("activities:org", args=[cast.town_b.pk]), reverse("activities:meeting_people") + "?q=甲",
                "/api/v1/activities/sessions", "/api/v1/activities/meetings", "/api/v1/activities/meetings/summary"]:
        response = client.get(url, follow=True)
        assert MARKER not in response.content.decode(), url
    for url in [reverse("activities:photos_add", args=[objs["session_id"]]),
                reverse("activities:photo_delete", args=[objs["photo_id"]])]:
        assert client.post(url).status_code == 404, url
