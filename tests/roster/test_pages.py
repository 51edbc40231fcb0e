"""The roster pages: upload → mapping → preview → commit as a job; template; rejected rows; export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jingpei.core.models import AuditLog
from jingpei.orgs.models import Person
from jingpei.roster.models import RosterExport, RosterImport
from tests.factories import valid_id
from tests.roster.builders import row, xlsx
from tests.roster.leaks import make_objects

pytestmark = pytest.mark.django_db


def _book(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_upload_map_preview_fix_and_commit(cast, client_as, django_capture_on_commit_callbacks):
    client = client_as(cast.liaison_a)
    good, bad = valid_id(), valid_id()
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    upload = xlsx([row("张伟", good, "朱集村"), row("李娜", bad, "朱集村", seq=2)])
    response = client.post(reverse("roster:home"), {"file": upload})
    imp = RosterImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("roster:import", args=[imp.pk])
    page = client.get(response.url)
    assert 'data-testid="mapping-form"' in page.content.decode()
    data = {f"col_{k}": v for k, v in imp.mapping.items()} | {"on_duplicate": "skip", "category_year": 2026}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster:import-mapping", args=[imp.pk]), data)
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.VALIDATED and imp.validate_job.status == "done"
    html = client.get(reverse("roster:import", args=[imp.pk])).content.decode()
    assert 'data-count="new">1<' in html and 'data-count="rejected">1<' in html
    assert "的校验位不正确" in html and "公民身份号码" in html
    assert Person.objects.filter(name="张伟").count() == 0  # the preview wrote nothing

    book = _book(client.get(reverse("roster:import-rejected", args=[imp.pk])))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[:12] == ["序号", "姓名", "公民身份号码", "性别", "出生年月", "民族", "联系电话", "政治面貌",
                           "现任职务", "职级", "所在单位", "人员类别"]
    assert header[12] == "错误说明"
    cells = [c.value for c in sheet[2]]
    assert cells[1] == "李娜" and cells[2] == bad and "校验位不正确" in cells[12] and cells[13] == 4

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster:import-commit", args=[imp.pk]))
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.COMMITTED
    assert Person.objects.filter(name="张伟").count() == 1
    assert 'data-testid="committed"' in client.get(reverse("roster:import", args=[imp.pk])).content.decode()

    # Fix the rejected row in the downloaded file and import only it.
    sheet.cell(row=2, column=3).value = valid_id()
    out = io.BytesIO()
    book.save(out)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(reverse("roster:home"), {"file": SimpleUploadedFile("fixed.xlsx", out.getvalue())})
    fixed = RosterImport.objects.get(filename="fixed.xlsx")
    assert fixed.mapping["id_number"] == 2 and "categories" in fixed.mapping


def test_template_has_chinese_headers_and_an_example(cast, client_as):
    book = _book(client_as(cast.liaison_a).get(reverse("roster:template")))
    sheet = book["花名册"]
    assert [c.value for c in sheet[1]] == ["＊姓名", "＊身份证号", "性别", "出生日期", "民族", "手机号", "政治面貌",
                                           "职务", "职级", "任现职级时间", "＊所在组织", "人员类别"]
    assert sheet["A2"].value == "王小明"
    assert "填写说明" in book.sheetnames


def test_template_round_trips_through_the_import(cast):
    """The template, filled in, imports with the guessed mapping unchanged."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jingpei.roster import files
    from tests.roster.builders import committed

    path = files.write_template()
    book = openpyxl.load_workbook(path)
    sheet = book["花名册"]
    for col, value in enumerate(["赵六", valid_id(), "", "", "汉族", "", "群众", "", "", "", "召陵区/老窝镇/朱集村", ""],
                                start=1):
        sheet.cell(row=2, column=col).value = value
    out = io.BytesIO()
    book.save(out)
    imp = committed(cast.liaison_a, SimpleUploadedFile("模板.xlsx", out.getvalue()))
    assert imp.counts["new"] == 1


def test_people_without_the_import_permission_are_refused(cast, client_as):
    client = client_as(cast.secretary_a)
    assert client.get(reverse("roster:home")).status_code == 403
    assert client.get(reverse("roster:template")).status_code == 403
    assert client.get(reverse("roster:export")).status_code == 403


def test_another_township_sees_nothing_of_an_import_or_export(cast, client_as):
    objects = make_objects(cast)
    client = client_as(cast.liaison_b)
    imp, export = objects["import_id"], objects["export_id"]
    for url in [reverse("roster:import", args=[imp.pk]), reverse("roster:import-rejected", args=[imp.pk]),
                reverse("roster:export-download", args=[export.pk])]:
        response = client.get(url)
        assert response.status_code == 404
        assert "甲镇机密" not in response.content.decode()
    assert client.post(reverse("roster:import-commit", args=[imp.pk])).status_code == 404
    assert client.post(reverse("roster:import-mapping", args=[imp.pk]), {}).status_code == 404
    assert "甲镇机密" not in client.get(reverse("roster:home")).content.decode()


def _export(client, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster:export") + "?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert response.status_code == 302
    export = RosterExport.objects.latest("id")
    download = client.get(reverse("roster:export-download", args=[export.pk]))
    rows = [[c.value for c in r] for r in _book(download).active.iter_rows()]
    return export, rows


def test_export_of_a_liaison_is_their_subtree_with_masked_numbers(cast, client_as, django_capture_on_commit_callbacks):
    client = client_as(cast.liaison_b)
    page = client.get(reverse("roster:export"))
    assert 'data-testid="export-count">1<' in page.content.decode()
    export, rows = _export(client, django_capture_on_commit_callbacks)
    assert rows[0] == ["姓名", "身份证号", "性别", "出生日期", "民族", "手机号", "政治面貌", "职务", "职级",
                       "任现职级时间", "所在组织", "人员类别"]
    assert [r[0] for r in rows[1:]] == ["赵秘密"]
    assert rows[1][1] == cast.person_b.id_masked and rows[1][5] == "139****2222"
    assert rows[1][10] == "召陵区/万金镇/刘庄村/刘庄村党支部"
    assert export.rows == 1 and export.revealed == 0
    assert AuditLog.objects.filter(action="roster.export", object_id=str(export.pk)).exists()
    # Another township's organisation as a filter is not found, not an empty file.
    assert client.get(reverse("roster:export") + f"?org={cast.town_a.pk}").status_code == 404


def test_export_by_the_officer_reveals_numbers_and_is_audited(cast, client_as, django_capture_on_commit_callbacks):
    client = client_as(cast.officer)
    export, rows = _export(client, django_capture_on_commit_callbacks, org=cast.town_a.pk, q="wang")
    assert [r[0] for r in rows[1:]] == ["王小明"]
    assert rows[1][1] == cast.person_a.reveal_id_number() and rows[1][5] == "13800001111"
    assert export.revealed == 1
    entry = AuditLog.objects.get(action="roster.export.reveal", object_id=str(export.pk))
    assert entry.actor == cast.officer and entry.after["filters"]["org"] == cast.town_a.pk
    assert entry.org_path == cast.town_a.path


def test_export_keeps_to_the_export_grant_and_reveals_only_where_allowed(cast, client_as,
                                                                         django_capture_on_commit_callbacks):
    """Sees the whole district (class head) but may export only township A (liaison); may see full
    numbers in A only (officer of A) while exporting the district (liaison of the district)."""
    from jingpei.accounts import services as accounts
    from jingpei.core.permissions import Role
    from tests.factories import make_user

    mixed = make_user("mixed", role=Role.CLASS_HEAD, org=cast.district)
    accounts.grant_role(actor=None, user=mixed, role=Role.LIAISON, org=cast.town_a)
    _export_obj, rows = _export(client_as(mixed), django_capture_on_commit_callbacks)
    assert sorted(r[0] for r in rows[1:]) == ["李芳", "王小明"]
    assert rows[1][1].count("*") == 10  # masked

    partial = make_user("partial", role=Role.LIAISON, org=cast.district)
    accounts.grant_role(actor=None, user=partial, role=Role.TRAINING_OFFICER, org=cast.town_a)
    export, rows = _export(client_as(partial), django_capture_on_commit_callbacks)
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"李芳", "王小明", "赵秘密"}
    assert by_name["王小明"][1] == cast.person_a.reveal_id_number()
    assert by_name["赵秘密"][1] == cast.person_b.id_masked
    assert export.revealed == 2
