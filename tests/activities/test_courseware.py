"""A branch session names its courseware as an academy course offered to the branch, or as free text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jingpei.activities import services
from jingpei.activities.models import BranchSession
from jingpei.core.errors import DomainError
from tests.academy.helpers import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(cast):
    year = timezone.localdate().year
    return {
        "district": make_course(cast.district, "乡村振兴政策解读", year=year),
        "old": make_course(cast.district, "三年前的课", year=year - 3),
        "other_town": make_course(cast.town_b, "万金镇特色产业", year=year),
    }


def test_a_course_offered_to_the_branch_is_linked_and_named(cast, log_session, courses):
    session = log_session(course_id=courses["district"].pk, courseware="")
    assert session.course == courses["district"] and session.courseware == "乡村振兴政策解读"
    typed = log_session(topic="另一次学习", course_id=courses["old"].pk, courseware="第三讲")
    assert typed.course == courses["old"] and typed.courseware == "第三讲"  # what was typed is kept


def test_a_course_not_offered_to_the_branch_is_refused_and_nothing_written(cast, log_session, courses):
    for course_id in (courses["other_town"].pk, 999_999):
        with pytest.raises(DomainError) as exc:
            log_session(course_id=course_id)
        assert exc.value.field == "course_id"
        assert exc.value.message == f"网络学院课程 {course_id} 不存在或不面向本支部，请从列表中选择。"
    assert not BranchSession.objects.exists()


def test_an_edit_keeps_a_course_no_longer_offered(cast, log_session, courses):
    session = log_session(course_id=courses["district"].pk)
    courses["district"].published = False
    courses["district"].save()
    kept = services.update_session(actor=cast.secretary_a, session=session, held_on=session.held_on,
                                   topic=session.topic, hours=session.hours, course_id=courses["district"].pk,
                                   courseware=session.courseware, attendee_ids=[cast.person_a.pk])
    assert kept.course == courses["district"]
    cleared = services.update_session(actor=cast.secretary_a, session=session, held_on=session.held_on,
                                      topic=session.topic, hours=session.hours, course_id=None,
                                      courseware="自备课件", attendee_ids=[cast.person_a.pk])
    assert cleared.course is None and cleared.courseware == "自备课件"
    with pytest.raises(DomainError, match="不存在或不面向本支部"):
        services.update_session(actor=cast.secretary_a, session=session, held_on=session.held_on,
                                topic=session.topic, hours=session.hours, course_id=courses["district"].pk,
                                attendee_ids=[cast.person_a.pk])


def test_the_form_offers_recent_courses_of_the_branch_and_the_page_links_it(cast, client_as, courses, today):
    client = client_as(cast.secretary_a)
    form = client.get(reverse("activities:session_new", args=[cast.branch_a.pk])).text
    assert "乡村振兴政策解读" in form and "万金镇特色产业" not in form and "三年前的课" not in form
    response = client.post(reverse("activities:session_new", args=[cast.branch_a.pk]), {
        "held_on": f"{today - timedelta(days=1):%Y-%m-%d}", "topic": "学习政策", "hours": "1.5",
        "course_id": courses["other_town"].pk, "courseware": "", "place": "", "guest_names": "",
        "attendee_ids": [cast.person_a.pk]})
    assert response.status_code == 200 and 'data-field="course_id"' in response.text
    assert not BranchSession.objects.exists()
    response = client.post(reverse("activities:session_new", args=[cast.branch_a.pk]), {
        "held_on": f"{today - timedelta(days=1):%Y-%m-%d}", "topic": "学习政策", "hours": "1.5",
        "course_id": courses["district"].pk, "courseware": "", "place": "", "guest_names": "",
        "attendee_ids": [cast.person_a.pk]})
    assert response.status_code == 302
    session = BranchSession.objects.get()
    page = client.get(reverse("activities:session", args=[session.pk])).text
    assert f'href="/academy/courses/{courses["district"].pk}/" data-testid="session-course">乡村振兴政策解读<' in page
    edit = client.get(reverse("activities:session_edit", args=[session.pk])).text
    assert f'<option value="{courses["district"].pk}" selected>' in edit


def test_the_api_takes_and_checks_course_id(cast, client_as, courses, today):
    client = client_as(cast.secretary_a)
    body = {"branch_id": cast.branch_a.pk, "held_on": f"{today - timedelta(days=1):%Y-%m-%d}", "topic": "学习",
            "hours": "1.0", "attendee_ids": [cast.person_a.pk], "course_id": courses["other_town"].pk}
    r = client.post("/api/v1/activities/sessions", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["fields"][0]["field"] == "course_id"
    r = client.post("/api/v1/activities/sessions", {**body, "course_id": courses["district"].pk},
                    content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["course_id"] == courses["district"].pk and r.json()["courseware"] == "乡村振兴政策解读"
