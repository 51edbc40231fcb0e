"""The pages: a secretary logs on the branch page, offices read the district view, boundaries hold."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from openpyxl import load_workbook

from jingpei.activities.models import BranchSession, Meeting
from jingpei.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def post_session(client, cast, today, **kw):
    data = {"held_on": f"{today:%Y-%m-%d}", "topic": "学习党的二十大精神", "hours": "1.5", "courseware": "",
            "place": "党员活动室", "attendee_ids": [cast.person_a.pk, cast.person_a2.pk], "guest_names": ""}
    data.update(kw)
    return client.post(reverse("activities:session_new", args=[cast.branch_a.pk]), data)


def test_secretary_goes_to_the_branch_and_logs_a_session(cast, client_as, today):
    client = client_as(cast.secretary_a)
    response = client.get(reverse("activities:index"))
    assert response.url == reverse("activities:org", args=[cast.branch_a.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and 'data-testid="log-session"' in page.text
    form = client.get(reverse("activities:session_new", args=[cast.branch_a.pk]))
    assert form.text.count("checked") >= 2  # every member ticked by default: untick the absent
    response = post_session(client, cast, today)
    assert response.status_code == 302
    session = BranchSession.objects.get()
    assert session.attendee_count == 2 and LedgerEntry.objects.count() == 2
    page = client.get(reverse("activities:org", args=[cast.branch_a.pk]))
    assert 'data-testid="stat-month">1<' in page.text and "学习党的二十大精神" in page.text


def test_duplicate_is_offered_for_merge(cast, client_as, today):
    client = client_as(cast.secretary_a)
    post_session(client, cast, today, attendee_ids=[cast.person_a.pk])
    response = post_session(client, cast, today)
    assert response.status_code == 200 and 'data-testid="merge"' in response.text
    assert "已登记过主题为“学习党的二十大精神”的学习" in response.text
    assert BranchSession.objects.count() == 1 and LedgerEntry.objects.count() == 1
    response = post_session(client, cast, today, merge="1")
    assert response.status_code == 302
    assert BranchSession.objects.get().attendee_count == 2 and LedgerEntry.objects.count() == 2


@pytest.mark.parametrize(("kw", "message"), [
    ({"held_on": "future"}, "日期不能晚于今天"),
    ({"hours": "0"}, "时长须大于 0 小时且不超过 12 小时"),
    ({"hours": "24"}, "时长须大于 0 小时且不超过 12 小时"),
])
def test_bad_sessions_show_chinese_errors(cast, client_as, today, kw, message):
    if kw.get("held_on") == "future":
        kw = {"held_on": f"{today + timedelta(days=2):%Y-%m-%d}"}
    response = post_session(client_as(cast.secretary_a), cast, today, **kw)
    assert response.status_code == 200 and message in response.text
    assert not BranchSession.objects.exists()


def test_every_mistake_of_the_session_form_is_shown_in_one_round(cast, client_as, today):
    """Field errors and the services' own checks together: before, a blank topic hid the hours, the date and
    the attendees until it was fixed, then the next one showed."""
    response = post_session(client_as(cast.secretary_a), cast, today, topic="  ", hours="0",
                            held_on=f"{today + timedelta(days=3):%Y-%m-%d}", attendee_ids=[])
    errors = response.context["form"].errors
    assert set(errors) == {"topic", "hours", "held_on", "attendee_ids"}
    assert errors["hours"] == ["时长须大于 0 小时且不超过 12 小时，请检查填写的时长（0 小时）。"]
    assert errors["held_on"] == [f"日期不能晚于今天（{today:%Y-%m-%d}），不能登记尚未发生的活动。"]
    assert errors["attendee_ids"] == ["请至少勾选一名参加学习的党员。"]
    assert not BranchSession.objects.exists()


def test_edit_page_corrects_by_reversal(cast, client_as, today):
    client = client_as(cast.secretary_a)
    post_session(client, cast, today)
    session = BranchSession.objects.get()
    url = reverse("activities:session_edit", args=[session.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"held_on": f"{today:%Y-%m-%d}", "topic": session.topic, "hours": "1.5",
                                 "attendee_ids": [cast.person_a.pk], "reason": "李芳未到"})
    assert response.status_code == 302
    assert LedgerEntry.objects.filter(reason="李芳未到", person=cast.person_a2).count() == 1


def test_district_view_grid_chart_and_idle_branches(cast, client_as, today, django_assert_max_num_queries):
    post_session(client_as(cast.secretary_a), cast, today)
    client = client_as(cast.officer)
    url = reverse("activities:org", args=[cast.district.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert 'data-testid="stat-sessions">1<' in response.text
    assert 'data-testid="stat-active">1<small' in response.text
    assert "echarts.min.js" in response.text and "刘庄村党支部" in response.text  # idle this month


def test_dates_are_written_as_the_page_language_writes_them(cast, client_as, today):
    """Template dates named a format ("DATE_FORMAT", "MONTH_DAY_FORMAT"), not a Chinese pattern: in English
    the district view once read "2026年1月1日 to …"."""
    post_session(client_as(cast.secretary_a), cast, today)
    session = BranchSession.objects.get()
    client = client_as(cast.officer)
    zh = client.get(reverse("activities:org", args=[cast.branch_a.pk])).text
    assert f">{today.month}月{today.day}日<" in zh  # 3月5日, not Django's own 03月5日
    assert f"{today.year}年{today.month}月{today.day}日" in client.get(reverse("activities:session", args=[session.pk])).text
    client.cookies["django_language"] = "en"
    district = client.get(reverse("activities:org", args=[cast.district.pk])).text
    assert f"Jan. 1, {today.year}" in district and f"{today.year}年1月1日" not in district
    with translation.override("en"):
        english = date_format(today, "DATE_FORMAT")  # "Dec. 6, 2026"
    assert english in client.get(reverse("activities:session", args=[session.pk])).text


def test_export_is_an_excel_workbook(cast, client_as, today):
    post_session(client_as(cast.secretary_a), cast, today)
    response = client_as(cast.officer).get(reverse("activities:export", args=[cast.district.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    grid = {row[0]: row for row in wb["支部月度"].iter_rows(values_only=True)}
    assert grid["朱集村党支部"][1] == 2 and grid["朱集村党支部"][2 + today.month - 1] == 1
    assert "刘庄村党支部" in {row[0] for row in wb["未达标支部"].iter_rows(values_only=True)}


def test_the_sibling_township_sees_nothing_of_a(cast, client_as, today):
    post_session(client_as(cast.secretary_a), cast, today)
    session = BranchSession.objects.get()
    client = client_as(cast.liaison_b)
    for url in [reverse("activities:org", args=[cast.branch_a.pk]), reverse("activities:org", args=[cast.district.pk]),
                reverse("activities:export", args=[cast.town_a.pk]), reverse("activities:session", args=[session.pk]),
                reverse("activities:session_edit", args=[session.pk]),
                reverse("activities:session_new", args=[cast.branch_a.pk])]:
        assert client.get(url).status_code == 404, url
    own = client.get(reverse("activities:org", args=[cast.town_b.pk]))
    assert own.status_code == 200 and "朱集村" not in own.text and "老窝镇" not in own.text
    wb = load_workbook(io.BytesIO(client.get(reverse("activities:export", args=[cast.town_b.pk])).content))
    assert not any("朱集村" in str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row)


def test_a_liaison_reads_but_may_not_log(cast, client_as):
    client = client_as(cast.liaison_a)
    assert client.get(reverse("activities:org", args=[cast.branch_a.pk])).status_code == 200
    response = client.get(reverse("activities:session_new", args=[cast.branch_a.pk]))
    assert response.status_code == 403 and "只有本支部书记及上级组织可以登记" in response.text


def test_rules_page(cast, client_as):
    client = client_as(cast.officer)
    response = client.post(reverse("activities:rules"), {"org": cast.town_a.pk, "min_sessions_per_month": 3,
                                                         "min_participation": "80"})
    assert response.status_code == 302
    assert "≥ 3" in client.get(reverse("activities:rules")).text
    assert client_as(cast.liaison_a).get(reverse("activities:rules")).status_code == 404


def test_meeting_pages(cast, client_as, today):
    client = client_as(cast.officer)
    assert client.get(reverse("activities:meeting_new")).status_code == 200
    results = client.get(reverse("activities:meeting_people"), {"q": "王小"})
    assert f'data-add-person="{cast.person_a.pk}"' in results.text
    response = client.post(reverse("activities:meeting_new"), {
        "held_on": f"{today:%Y-%m-%d}", "kind": "progress", "subject": "乡村振兴推进会", "organizer": cast.district.pk,
        "hours": "2", "attendee_ids": [cast.person_a.pk, cast.person_b.pk], "action": "save"})
    meeting = Meeting.objects.get()
    assert response.url == reverse("activities:meeting", args=[meeting.pk])
    listing = client.get(reverse("activities:meetings"))
    assert 'data-testid="stat-person-times">2<' in listing.text
    assert client_as(cast.liaison_b).get(reverse("activities:meeting", args=[meeting.pk])).status_code == 404
    assert "乡村振兴推进会" not in client_as(cast.liaison_b).get(reverse("activities:meetings")).text
    assert client_as(cast.secretary_a).get(reverse("activities:meeting_new")).status_code == 404


def test_meeting_sheet_import_fills_the_attendees(cast, client_as, today):
    from tests.activities.test_meetings import sheet

    client = client_as(cast.officer)
    response = client.post(reverse("activities:meeting_new"), {
        "held_on": f"{today:%Y-%m-%d}", "kind": "forum", "subject": "座谈会", "organizer": cast.district.pk,
        "hours": "2", "action": "import", "sheet": sheet([["姓名"], ["李芳"], ["无名氏"]])})
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert f'value="{cast.person_a2.pk}"' in response.text and "第 3 行" in response.text


def test_a_bad_photo_leaves_no_session_behind(cast, client_as, today):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.activities.conftest import png_bytes

    client = client_as(cast.secretary_a)
    response = post_session(client, cast, today, photos=[SimpleUploadedFile("ok.png", png_bytes(), "image/png"),
                                                          SimpleUploadedFile("bad.jpg", b"nope", "image/jpeg")])
    assert response.status_code == 200 and "文件“bad.jpg”不是有效的图片" in response.text
    assert not BranchSession.objects.exists() and not LedgerEntry.objects.exists()
    response = post_session(client, cast, today, photos=[SimpleUploadedFile("ok.png", png_bytes(), "image/png")])
    assert response.status_code == 302 and BranchSession.objects.get().photos.count() == 1
