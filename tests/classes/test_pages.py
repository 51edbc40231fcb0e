from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jingpei.classes.models import Enrolment, LeaveRequest, Reflection, TrainingClass
from tests.classes.conftest import enrol
from tests.factories import make_person, numbered


def test_officer_creates_class_with_form(cast, head, client_as):
    client = client_as(cast.officer)
    today = timezone.localdate().isoformat()
    data = {"title": "交流考察学习班（梁家河）", "organizer": cast.district.pk, "tier": "key", "form": "study_tour",
            "start_date": today, "end_date": today, "capacity": 40, "min_attendance": "0.8",
            "late_after_minutes": 10, "itinerary": "第一天 梁家河 村史馆\n第二天 袁家村 产业",
            "audience_orgs": [cast.town_a.pk]}
    r = client.post(reverse("classes:create"), data)
    klass = TrainingClass.objects.get()
    assert r.status_code == 302 and klass.form == "study_tour" and list(klass.audience_orgs.all()) == [cast.town_a]
    r = client.post(reverse("classes:create"), {**data, "end_date": "2000-01-01"})
    assert "结业日期不能早于开班日期。" in r.content.decode() and TrainingClass.objects.count() == 1


def test_liaison_cannot_open_create_page(cast, client_as):
    assert client_as(cast.liaison_a).get(reverse("classes:create")).status_code == 403


def test_liaison_sees_only_own_quota(cast, klass, client_as):
    body = client_as(cast.liaison_b).get(reverse("classes:detail", args=[klass.pk])).content.decode()
    assert "万金镇" in body and "老窝镇" not in body


def test_head_class_page_queries_do_not_grow_with_roster(cast, klass, session, head, client_as,
                                                        django_assert_max_num_queries):
    klass.capacity = 60
    klass.save()
    for i in range(3):
        enrol(cast, klass, make_person(cast.branch_a, numbered("甲", i)))
    client = client_as(head)
    for tab in ("roster", "attendance", "leave", "reflections", "completion", "info"):
        assert client.get(reverse("classes:detail", args=[klass.pk]) + f"?tab={tab}").status_code == 200
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("classes:detail", args=[klass.pk]) + "?tab=attendance")
    small = len(few.captured_queries)
    from jingpei.classes.models import ClassQuota

    ClassQuota.objects.filter(klass=klass).update(seats=30)
    for i in range(3, 13):
        enrol(cast, klass, make_person(cast.branch_a, numbered("甲", i)))
    with django_assert_max_num_queries(small) as many:
        client.get(reverse("classes:detail", args=[klass.pk]) + "?tab=attendance")
    assert len(many.captured_queries) <= small


def test_trainee_flow_pages(cast, klass, session, head, client_as):
    e = enrol(cast, klass, cast.person_a)
    client = client_as(cast.trainee)
    assert "乡村振兴专题培训班" in client.get(reverse("classes:mine")).content.decode()
    r = client.post(reverse("classes:leave_request", args=[e.pk]), {"session": session.pk, "reason": "防汛值班"})
    assert r.status_code == 302
    leave = LeaveRequest.objects.get()
    r = client.post(reverse("classes:reflection", args=[e.pk]), {
        "text": "通过学习，我对壮大村集体经济有了更深的理解和认识。", "attachment": SimpleUploadedFile("心得.txt", b"notes")})
    assert r.status_code == 302 and Reflection.objects.get().attachment
    head_client = client_as(head)
    r = head_client.get(reverse("classes:detail", args=[klass.pk]) + "?tab=leave")
    assert "批准后累计请假 3.0 学时，超过总学时 3.0 的 1/7" in r.content.decode()
    head_client.post(reverse("classes:leave_decide", args=[leave.pk]), {"approve": "1"})
    leave.refresh_from_db()
    assert leave.status == "pending"
    head_client.post(reverse("classes:leave_decide", args=[leave.pk]), {"approve": "1", "confirm_withdrawal": "1"})
    e.refresh_from_db()
    assert e.status == Enrolment.Status.WITHDRAWN


def test_sheet_pdf_and_manual_sign_in(cast, klass, session, head, client_as):
    e = enrol(cast, klass, cast.person_a)
    client = client_as(head)
    r = client.get(reverse("classes:sheet", args=[session.pk]))
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    client.post(reverse("classes:manual_sign_in", args=[klass.pk]),
                {"session": session.pk, "enrolment": e.pk, "method": "sheet"})
    assert e.attendances.get().method == "sheet"


def test_calendar_and_plans(cast, klass, client_as):
    client = client_as(cast.officer)
    assert klass.title in client.get(reverse("classes:calendar")).content.decode()
    r = client.post(reverse("classes:plans"), {"org": cast.district.pk, "year": 2026, "title": "召陵区2026年度培训计划",
                                              "total_target": 2000})
    assert r.status_code == 302
    r = client.post(reverse("classes:plans"), {"org": cast.district.pk, "year": 2026, "title": "重复",
                                              "total_target": 1})
    assert "召陵区 2026 年度的培训计划已存在。" in r.content.decode()


def test_head_edits_itinerary_and_capacity_floor(cast, klass, head, client_as):
    enrol(cast, klass, cast.person_a)
    enrol(cast, klass, cast.person_b)
    client = client_as(head)
    form = client.get(reverse("classes:edit", args=[klass.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(itinerary="6月1日 梁家河\n6月2日 袁家村", head=head.pk, min_attendance="0.8")
    r = client.post(reverse("classes:edit", args=[klass.pk]), data)
    assert r.status_code == 302
    klass.refresh_from_db()
    assert klass.itinerary.endswith("袁家村")
    r = client.post(reverse("classes:edit", args=[klass.pk]), {**data, "capacity": 1})
    assert "已有 2 人占用名额，容量不能少于 2。" in r.content.decode()
    assert client_as(cast.liaison_a).get(reverse("classes:edit", args=[klass.pk])).status_code == 403
