"""Pages and endpoints: the learner's flow over HTTP, my study, the department's figures, boundaries."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from jingpei.academy import services
from jingpei.academy.models import Enrollment, PlaySession, Progress
from jingpei.core.models import Job
from jingpei.ledger.models import LedgerEntry
from tests.academy.helpers import make_course
from tests.academy.leaks import make_objects
from tests.factories import make_person, numbered

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MARKER = "甲镇机密"


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def course(cast):
    return make_course(cast.district, "乡村振兴政策解读", seconds=(30,), hours="1.5")


def test_learner_watches_over_http_and_my_study_shows_hours(cast, course, client_as):
    client = client_as(cast.trainee)
    lesson = course.lessons.get()
    page = client.get(f"/academy/lessons/{lesson.pk}/")
    assert page.status_code == 200 and "开始学习" in page.content.decode()
    with time_machine.travel(T0, tick=False) as clock:
        started = client.post(f"/academy/lessons/{lesson.pk}/start")
        assert started.status_code == 200
        beat_url = started.json()["beatUrl"]
        for seq, t in enumerate((0, 15, 30), start=1):
            clock.move_to(T0 + timedelta(seconds=t))
            result = post_json(client, beat_url, {"seq": seq, "position": t, "visible": True, "playing": True, "rate": 1})
            assert result.status_code == 200, result.content
        assert result.json()["course_completed"] is True
        my = client.get("/academy/my/").content.decode()
    assert LedgerEntry.objects.get().hours == 1.5
    assert 'data-testid="month-hours">1.5<' in my and 'data-testid="year-hours">1.5<' in my
    assert "乡村振兴政策解读" in my


def test_bad_heartbeat_bodies(cast, course, client_as):
    client = client_as(cast.trainee)
    lesson = course.lessons.get()
    beat_url = client.post(f"/academy/lessons/{lesson.pk}/start").json()["beatUrl"]
    bad = client.post(beat_url, "not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "心跳数据格式错误。"
    nan = post_json(client, beat_url, {"seq": 1, "position": "12"})
    assert nan.status_code == 400 and nan.json()["error"]["fields"][0]["field"] == "position"
    unknown = post_json(client, "/academy/play/nope/beat", {"seq": 1, "position": 1})
    assert unknown.status_code == 409 and unknown.json()["error"]["code"] == "superseded"
    assert Progress.objects.get().watched_seconds == 0


def test_heartbeat_from_another_login_is_refused(cast, course, client_as, client):
    lesson = course.lessons.get()
    beat_url = client_as(cast.trainee).post(f"/academy/lessons/{lesson.pk}/start").json()["beatUrl"]
    client.logout()
    client.force_login(cast.liaison_b)  # a different browser session holding the stolen token
    response = post_json(client, beat_url, {"seq": 1, "position": 0, "visible": True})
    assert response.status_code == 403


def test_heartbeat_path_makes_few_queries(cast, course, client_as):
    client = client_as(cast.trainee)
    lesson = course.lessons.get()
    beat_url = client.post(f"/academy/lessons/{lesson.pk}/start").json()["beatUrl"]
    first = post_json(client, beat_url, {"seq": 1, "position": 0, "visible": True}).json()
    with CaptureQueriesContext(connection) as ctx:
        second = post_json(client, beat_url, {"seq": 2, "position": 1, "visible": True}).json()
    # Without the state token: one read of session+progress+lesson+course, one conditional update.
    assert len(ctx.captured_queries) == 2 and second["path"] == "slow"
    with CaptureQueriesContext(connection) as ctx:
        third = post_json(client, beat_url, {"seq": 3, "position": 2, "visible": True, "state": second["state"]})
    # With the token the previous answer carried, as the player sends it: the conditional update alone.
    assert len(ctx.captured_queries) == 1 and third.json()["path"] == "fast"
    assert first["state"] and third.json()["state"] not in (first["state"], second["state"])
    not_text = post_json(client, beat_url, {"seq": 4, "position": 3, "visible": True, "state": 12})
    assert not_text.status_code == 200 and not_text.json()["path"] == "slow"


def test_staff_preview_does_not_start_timing(cast, course, client_as):
    client = client_as(cast.officer)  # no person: may see, may not study
    lesson = course.lessons.get()
    page = client.get(f"/academy/lessons/{lesson.pk}/").content.decode()
    assert "预览模式" in page
    response = client.post(f"/academy/lessons/{lesson.pk}/start")
    assert response.status_code == 403 and response.json()["error"]["message"] == "该课程不面向您，不能学习计时。"
    assert not PlaySession.objects.exists()


def test_catalog_filters_and_recommended_list(cast, client_as):
    make_course(cast.district, "必修课甲", kind="mandatory")
    make_course(cast.district, "脱贫攻坚专题", kind="elective", recommended=True)
    make_course(cast.district, "旧课程", year=2024)
    client = client_as(cast.trainee)
    page = client.get("/academy/?recommended=1").content.decode()
    assert "脱贫攻坚专题" in page and "必修课甲" not in page
    page = client.get("/academy/?year=2024").content.decode()
    assert "旧课程" in page and "必修课甲" not in page
    my = client.get("/academy/my/").content.decode()
    assert my.index("必修课甲") < my.index("脱贫攻坚专题")  # mandatory first


def test_audience_categories_limit_who_may_take_a_course(cast, client_as):
    from jingpei.orgs.models import Category, PersonCategory

    secretaries = Category.objects.create(code="vs", name="村党组织书记")
    course = make_course(cast.district, "书记专题", audience=[secretaries])
    client = client_as(cast.trainee)
    assert client.get(f"/academy/courses/{course.pk}/").status_code == 404
    PersonCategory.objects.create(person=cast.person_a, category=secretaries, year=2026)
    assert client.get(f"/academy/courses/{course.pk}/").status_code == 200


def test_create_course_form(cast, client_as):
    client = client_as(cast.officer)
    data = {"org": cast.district.pk, "title": "新课程", "credit_hours": "2.0", "year": 2026, "kind": "mandatory",
            "complete_share": "0.8", "topics": "乡村振兴，扶贫产业"}
    response = client.post("/academy/courses/new/", data)
    assert response.status_code == 302
    bad = client.post("/academy/courses/new/", {**data, "title": "坏课程", "complete_share": "1.5"})
    assert "完成比例须在 0 到 1 之间（例如 0.9）。" in bad.content.decode()
    assert client_as(cast.liaison_a).get("/academy/courses/new/").status_code == 403


def test_coverage_and_not_started(cast, course, client_as):
    services.start_lesson(person=cast.person_a, lesson=course.lessons.get(), session_cookie="c")
    client = client_as(cast.officer)
    page = client.get("/academy/coverage/").content.decode()
    assert "召陵区" in page and "老窝镇" in page and "万金镇" in page
    rows = {r.org.name: r for r in __import__("jingpei.academy.queries", fromlist=["x"]).coverage(cast.officer)}
    assert (rows["召陵区"].people, rows["召陵区"].registered, rows["召陵区"].started) == (3, 1, 1)
    assert (rows["老窝镇"].people, rows["老窝镇"].started) == (2, 1)
    assert rows["万金镇"].started == 0
    missing = client.get("/academy/coverage/not-started/").content.decode()
    assert "李芳" in missing and "赵秘密" in missing and "王小明" not in missing
    assert "乡村振兴政策解读" in page


def test_coverage_pages_query_count_is_flat(cast, course, client_as):
    client = client_as(cast.officer)
    client.get("/academy/coverage/")
    with CaptureQueriesContext(connection) as few:
        client.get("/academy/coverage/")
    for i in range(5):
        make_person(cast.branch_b, numbered("新人", i))
        make_course(cast.district, f"课程{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/academy/coverage/")
    assert len(many) == len(few)


def test_export_is_scoped(cast, course, client_as, django_capture_on_commit_callbacks):
    services.start_lesson(person=cast.person_a, lesson=course.lessons.get(), session_cookie="c")
    client = client_as(cast.liaison_b)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs when the request commits
        started = client.post("/academy/coverage/export/")
    assert started.status_code == 302 and started["Location"].startswith("/jobs/")
    job = Job.objects.get(name="academy.export")
    assert job.status == "done", job.error
    response = client.get(job.result["url"])
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row)
    assert "赵秘密" in text and "万金镇" in text
    assert "王小明" not in text and "李芳" not in text and "老窝镇" not in text
    courses = list(wb["课程统计"].iter_rows(values_only=True))
    assert courses[1][4] == 0  # A's enrolment is not counted in B's figures


def test_outsider_sees_nothing_of_township_a(cast, client_as):
    objs = make_objects(cast)
    client = client_as(cast.liaison_b)
    for url in (f"/academy/courses/{objs['course_id'].pk}/", f"/academy/lessons/{objs['lesson_id'].pk}/",
                f"/academy/lessons/{objs['lesson_id'].pk}/media", f"/academy/courses/{objs['course_id'].pk}/lessons/new/"):
        assert client.get(url).status_code == 404, url
    for url in ("/academy/", "/academy/coverage/", "/academy/coverage/not-started/"):
        body = client.get(url).content.decode()
        assert MARKER not in body and "王小明" not in body, url
    assert client.post(f"/academy/lessons/{objs['lesson_id'].pk}/start").status_code == 404
    beat = post_json(client, f"/academy/play/{objs['token']}/beat", {"seq": 9, "position": 0})
    assert beat.status_code == 403 and MARKER not in beat.content.decode()
    assert not Enrollment.objects.filter(person=cast.person_b).exists()
    # A's own liaison and the district officer do see it; A's liaison may not change it.
    assert client_as(cast.liaison_a).get(f"/academy/courses/{objs['course_id'].pk}/").status_code == 200
    assert client_as(cast.liaison_a).get(f"/academy/courses/{objs['course_id'].pk}/lessons/new/").status_code == 403


def test_trainee_without_grants_gets_no_department_pages(cast, client_as):
    client = client_as(cast.trainee)
    assert client.get("/academy/coverage/").status_code == 403
    assert client.post("/academy/coverage/export/").status_code == 403


def test_presence_check_endpoint(cast, course, client_as):
    client = client_as(cast.trainee)
    started = client.post(f"/academy/lessons/{course.lessons.get().pk}/start").json()
    wrong = post_json(client, started["checkUrl"], {"code": "nope"})
    assert wrong.status_code == 400 and wrong.json()["error"]["message"] == "确认码不正确，请重新输入。"
    before = PlaySession.objects.get()
    assert post_json(client, started["checkUrl"], {"code": before.check_code}).json() == {"status": "ok"}
    after = PlaySession.objects.get()
    assert (after.check_code, after.check_due_at) != (before.check_code, before.check_due_at)  # next check rescheduled


def test_export_file_belongs_to_its_owner(cast, client_as, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_as(cast.liaison_a).post("/academy/coverage/export/")
    url = Job.objects.get().result["url"]
    assert client.get(url).status_code == 200
    client.force_login(cast.liaison_b)
    assert client.get(url).status_code == 404


def test_resume_point_is_offered_on_another_device(cast, course, client_as, client):
    lesson = course.lessons.get()
    phone = client_as(cast.trainee)
    with time_machine.travel(T0, tick=False) as clock:
        url = phone.post(f"/academy/lessons/{lesson.pk}/start").json()["beatUrl"]
        post_json(phone, url, {"seq": 1, "position": 0, "visible": True})
        clock.move_to(T0 + timedelta(seconds=12))
        post_json(phone, url, {"seq": 2, "position": 12, "visible": True})
    client.logout()
    client.force_login(cast.trainee)  # a second browser: a new session
    resumed = client.post(f"/academy/lessons/{lesson.pk}/start").json()
    assert resumed["position"] == 12 and resumed["watched"] == 12


def test_lesson_lengths_read_as_people_say_them(cast, client_as):
    """A 30-second clip showed "0 分钟" (whole minutes, rounded down)."""
    course = make_course(cast.district, "时长显示", seconds=(30, 100, 2700))
    client = client_as(cast.officer)
    page = client.get(f"/academy/courses/{course.pk}/").content.decode()
    assert "30 秒" in page and "2 分钟" in page and "45 分钟" in page and "0 分钟" not in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/academy/courses/{course.pk}/").content.decode()
    assert "30 s" in page and "45 min" in page
