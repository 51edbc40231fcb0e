"""The permission boundary: liaison_b never sees township A's class or A's nominees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingpei.classes import access
from jingpei.classes.certificates import mask_name
from tests.classes.conftest import enrol
from tests.classes.leaks import MARKER, make_objects

KWARG_URLS = {
    "class_id": ["detail", "edit", "session_add", "quota_set", "nominate", "complete", "manual_sign_in"],
    "enrolment_id": ["decide", "respond", "leave_request", "reflection"],
    "leave_id": ["leave_decide"], "reflection_id": ["reflection_review", "reflection_attachment"],
    "session_id": ["sheet", "sheet_import", "projector", "projector_code"], "certificate_id": ["certificate"],
    "plan_id": ["plan"], "lecturer_id": ["lecturer"], "token": ["scan"], "serial": ["verify"],
}


@pytest.fixture
def objects(cast):
    return make_objects(cast)


def test_liaison_b_sees_nothing_of_a(cast, objects, client_as):
    client = client_as(cast.liaison_b)
    for kwarg, names in KWARG_URLS.items():
        obj = objects[kwarg]
        value = obj if isinstance(obj, str) else obj.pk
        for name in names:
            url = reverse(f"classes:{name}", kwargs={kwarg: value})
            for method in (client.get, client.post):
                r = method(url)
                body = r.content.decode(errors="ignore")
                assert MARKER not in body, url
                if name not in ("verify", "scan"):
                    assert r.status_code in (302, 403, 404, 405), (url, r.status_code)
    for name in ("list", "calendar", "mine", "plans", "lecturers"):
        assert MARKER not in client.get(reverse(f"classes:{name}")).content.decode()


def test_verify_shows_masked_name_only(cast, objects, client):
    r = client.get(reverse("classes:verify", args=[objects["serial"]]))
    body = r.content.decode()
    assert r.status_code == 200 and mask_name(f"{MARKER}人") in body and f"{MARKER}人" not in body
    assert client.get(reverse("classes:verify", args=["JP2026-00001-0001-XXXXX"])).status_code == 404


def test_liaison_sees_open_district_class_but_only_own_nominees(cast, klass, client_as):
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_b)
    assert list(access.visible_classes(cast.liaison_b)) == [klass]
    body = client_as(cast.liaison_b).get(reverse("classes:detail", args=[klass.pk])).content.decode()
    assert "赵秘密" in body and "王小明" not in body


def test_officer_and_head_see_all_nominees(cast, klass, head, client_as):
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_b)
    for user in (cast.officer, head):
        body = client_as(user).get(reverse("classes:detail", args=[klass.pk]) + "?tab=roster").content.decode()
        assert "赵秘密" in body and "王小明" in body


def test_trainee_sees_only_own_class(cast, klass, objects, client_as):
    enrol(cast, klass, cast.person_a)
    assert list(access.visible_classes(cast.trainee)) == [klass]


def test_class_list_query_count(cast, klass, client_as, django_assert_max_num_queries):
    client = client_as(cast.officer)
    client.get(reverse("classes:list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("classes:list"))
