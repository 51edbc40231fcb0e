from __future__ import annotations

from jingpei.academy import services
from tests.academy.helpers import make_course
from tests.academy.leaks import make_objects


def test_courses_api_is_scoped(cast, client_as):
    make_course(cast.district, "全区课程")
    objs = make_objects(cast)
    b = client_as(cast.liaison_b)
    titles = [c["title"] for c in b.get("/api/v1/academy/courses").json()]
    assert "全区课程" in titles and "甲镇机密课程" not in titles
    missing = b.get(f"/api/v1/academy/courses/{objs['course_id'].pk}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    a = client_as(cast.trainee).get(f"/api/v1/academy/courses/{objs['course_id'].pk}").json()
    assert a["lessons"][0]["title"] == "甲镇机密课节"


def test_my_study_api(cast, client_as):
    course = make_course(cast.district, "全区课程")
    services.start_lesson(person=cast.person_a, lesson=course.lessons.get(), session_cookie="c")
    data = client_as(cast.trainee).get("/api/v1/academy/my").json()
    assert data["in_progress"][0]["title"] == "全区课程" and data["month_target"] == "5"
    no_person = client_as(cast.officer).get("/api/v1/academy/my")
    assert no_person.status_code == 403
