"""Meetings-as-training: recording, credits, corrections, person-times by category, attendance import."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jingpei.activities import access, imports, queries, services
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.ledger.models import LedgerEntry, TrainingForm
from jingpei.orgs.models import Category, PersonCategory
from tests.factories import make_person, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(cast, today):
    return services.create_meeting(actor=cast.officer, organizer=cast.district, held_on=today - timedelta(days=2),
                                   kind="analysis", subject="脱贫攻坚形势研判会", hours="3",
                                   attendee_ids=[cast.person_a.pk, cast.person_b.pk])


def test_meeting_credits_each_attendee(cast, meeting):
    entries = LedgerEntry.objects.filter(source_type="activities.meeting")
    assert {e.person_id for e in entries} == {cast.person_a.pk, cast.person_b.pk}
    assert all(e.form == TrainingForm.MEETING and e.hours == Decimal("3.0") for e in entries)
    assert meeting.attendee_count == 2


@pytest.mark.parametrize(("kw", "message"), [
    ({"hours": "13"}, "时长须大于 0 小时且不超过 12 小时"),
    ({"held_on": "future"}, "日期不能晚于今天"),
    ({"kind": "party"}, "请选择会议类型。"),
    ({"attendee_ids": []}, "请选择参会人员，或导入签到表。"),
    ({"subject": ""}, "请填写会议主题。"),
])
def test_bad_meetings_are_refused(cast, today, kw, message):
    params = {"actor": cast.officer, "organizer": cast.district, "held_on": today, "kind": "forum",
              "subject": "座谈会", "hours": "2", "attendee_ids": [cast.person_a.pk]}
    if kw.get("held_on") == "future":
        kw = {"held_on": today + timedelta(days=1)}
    params.update(kw)
    with pytest.raises(DomainError) as exc:
        services.create_meeting(**params)
    assert message in exc.value.message
    assert not LedgerEntry.objects.exists()


def test_only_meeting_managers_record_and_only_people_in_their_scope(cast, today):
    with pytest.raises(NotAllowed):
        services.create_meeting(actor=cast.secretary_a, organizer=cast.branch_a, held_on=today, kind="forum",
                                subject="座谈会", hours="2", attendee_ids=[cast.person_a.pk])
    from jingpei.core.permissions import Role
    from tests.factories import make_user

    officer_a = make_user("officer_a", role=Role.TRAINING_OFFICER, org=cast.town_a)
    with pytest.raises(DomainError) as exc:
        services.create_meeting(actor=officer_a, organizer=cast.town_a, held_on=today, kind="forum",
                                subject="座谈会", hours="2", attendee_ids=[cast.person_a.pk, cast.person_b.pk])
    assert exc.value.message == "所选参会人员中有 1 人不在您的管理范围内。"


def test_correcting_a_meeting_reverses(cast, meeting):
    services.update_meeting(actor=cast.officer, meeting=meeting, held_on=meeting.held_on, kind="analysis",
                            subject=meeting.subject, hours="2", attendee_ids=[cast.person_a.pk], reason="会议缩短")
    totals = {p: sum(e.hours for e in LedgerEntry.objects.filter(person=p)) for p in (cast.person_a, cast.person_b)}
    assert totals == {cast.person_a: Decimal("2.0"), cast.person_b: Decimal("0.0")}
    assert LedgerEntry.objects.filter(reason="会议缩短").count() == 2


def test_person_times_by_category(cast, meeting, today):
    top = Category.objects.create(code="top_leader", name="党政一把手", sort_order=0)
    member = Category.objects.create(code="party_member", name="党员", sort_order=7)
    PersonCategory.objects.create(person=cast.person_a, category=top, year=today.year)
    PersonCategory.objects.create(person=cast.person_a, category=member, year=today.year)
    PersonCategory.objects.create(person=cast.person_b, category=top, year=today.year - 1)  # last year: not counted
    services.create_meeting(actor=cast.officer, organizer=cast.district, held_on=today - timedelta(days=1),
                            kind="progress", subject="推进会", hours="2", attendee_ids=[cast.person_a.pk])
    summary = queries.meeting_summary(access.visible_meetings(cast.officer), today.year)
    if meeting.held_on.year != today.year:  # early January: the fixture meeting fell in last year
        pytest.skip("fixture meeting in the previous year")
    assert summary.meetings == 2 and summary.person_times == 3
    assert summary.by_category == [("党政一把手", 2), ("党员", 2)]
    assert summary.by_kind == [("研判会", 1, 2), ("推进会", 1, 1)]


def test_meetings_are_scoped(cast, meeting):
    assert list(access.visible_meetings(cast.liaison_b)) == []
    from django.http import Http404

    with pytest.raises(Http404):
        access.get_meeting(cast.liaison_b, meeting.pk)


def sheet(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("签到表.xlsx", xlsx_bytes(rows))


def test_attendance_sheet_matches_people_and_reports_rows(cast):
    from tests.factories import valid_id

    number = valid_id(seq=321)
    twin = make_person(cast.branch_b, "王小明", id_number=number)
    result = imports.read_attendance_sheet(actor=cast.officer, upload=sheet([
        ["以会代训签到表"],
        ["序号", "姓名", "身份证号", "手机号"],
        [1, "李芳", "", ""],
        [2, "赵秘密", "", "13900002222"],
        [3, "王小明", number, ""],
        [4, "王小明", "", ""],
        [5, "查无此人", "", ""],
        [6, "", "", ""],
    ]))
    assert [p.name for p in result.people] == ["李芳", "赵秘密", "王小明"]
    assert result.people[2] == twin
    assert result.errors == ["第 6 行：您的管理范围内有 2 人名为“王小明”，请在签到表中填写身份证号。",
                             "第 7 行：您的管理范围内找不到“查无此人”。"]


def test_attendance_sheet_outside_scope_and_bad_files(cast):
    from jingpei.core.permissions import Role
    from tests.factories import make_user

    officer_a = make_user("officer_a", role=Role.TRAINING_OFFICER, org=cast.town_a)
    result = imports.read_attendance_sheet(actor=officer_a, upload=sheet([["姓名"], ["赵秘密"]]))
    assert result.people == [] and result.errors == ["第 2 行：您的管理范围内找不到“赵秘密”。"]
    with pytest.raises(DomainError) as exc:
        imports.read_attendance_sheet(actor=cast.officer, upload=SimpleUploadedFile("a.xlsx", b"garbage"))
    assert exc.value.message == "无法读取签到表，请上传 Excel 文件（.xlsx 或 .xls）。"
    with pytest.raises(DomainError) as exc:
        imports.read_attendance_sheet(actor=cast.officer, upload=sheet([["名单"], ["赵秘密"]]))
    assert "找不到“姓名”列" in exc.value.message
