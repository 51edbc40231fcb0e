"""The roster API: the same flow and the same boundaries as the pages."""

from __future__ import annotations

import pytest

from jingpei.orgs.models import Person
from tests.factories import valid_id
from tests.roster.builders import row, xlsx
from tests.roster.leaks import make_objects

pytestmark = pytest.mark.django_db


def test_upload_map_commit_through_the_api(cast, client_as, django_capture_on_commit_callbacks):
    client = client_as(cast.liaison_a)
    response = client.post("/api/v1/roster/imports", {"file": xlsx([row("张伟", valid_id(), "朱集村")])})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "uploaded" and body["mapping"]["id_number"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/roster/imports/{body['id']}/mapping", {
            "mapping": body["mapping"], "on_duplicate": "update", "category_year": 2026,
        }, content_type="application/json")
    assert response.status_code == 202
    detail = client.get(f"/api/v1/roster/imports/{body['id']}").json()
    assert detail["status"] == "validated" and detail["counts"]["new"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/roster/imports/{body['id']}/commit").status_code == 202
    assert Person.objects.filter(name="张伟").exists()
    again = client.post(f"/api/v1/roster/imports/{body['id']}/commit")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "该文件尚未校验完成或已经导入。"


def test_bad_mapping_answers_with_the_error_shape(cast, client_as):
    client = client_as(cast.liaison_a)
    body = client.post("/api/v1/roster/imports", {"file": xlsx([row("张伟", valid_id(), "朱集村")])}).json()
    response = client.post(f"/api/v1/roster/imports/{body['id']}/mapping",
                           {"mapping": {"name": 1}, "category_year": 2026}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "请为必填项选择对应的列：身份证号、所在组织。"


def test_problems_are_listed_by_row_and_column(cast, client_as, django_capture_on_commit_callbacks):
    client = client_as(cast.liaison_a)
    body = client.post("/api/v1/roster/imports", {"file": xlsx([row("", valid_id(), "朱集村")])}).json()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/roster/imports/{body['id']}/mapping",
                    {"mapping": body["mapping"], "category_year": 2026}, content_type="application/json")
    items = client.get(f"/api/v1/roster/imports/{body['id']}/problems").json()["items"]
    assert items == [{"row": 3, "column": "姓名", "message": "请填写姓名。", "level": "error"}]


def test_the_sibling_township_gets_404_and_no_permission_gets_403(cast, client_as):
    objects = make_objects(cast)
    client = client_as(cast.liaison_b)
    imp, export = objects["import_id"].pk, objects["export_id"].pk
    for url in [f"/api/v1/roster/imports/{imp}", f"/api/v1/roster/imports/{imp}/problems",
                f"/api/v1/roster/exports/{export}"]:
        response = client.get(url)
        assert response.status_code == 404 and "甲镇机密" not in response.content.decode()
    assert client.post(f"/api/v1/roster/imports/{imp}/commit").status_code == 404
    assert "甲镇机密" not in client.get("/api/v1/roster/imports").content.decode()
    response = client.post("/api/v1/roster/exports", {"org": cast.town_a.pk}, content_type="application/json")
    assert response.status_code == 404
    response = client_as(cast.secretary_a).post("/api/v1/roster/imports", {"file": xlsx([])})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "您没有导入人员的权限。"


def test_export_through_the_api(cast, client_as, django_capture_on_commit_callbacks):
    client = client_as(cast.liaison_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/roster/exports", {"q": ""}, content_type="application/json")
    assert response.status_code == 202
    detail = client.get(f"/api/v1/roster/exports/{response.json()['id']}").json()
    assert detail["ready"] and detail["rows"] == 2 and detail["revealed"] == 0
