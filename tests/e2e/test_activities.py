"""A branch secretary logs a session on a phone and sees the counts move; the officer sees the district."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_logs_a_session_on_a_phone(cast, phone):
    login(phone, "secretary_a")
    phone.goto(phone.base + "/activities/")
    assert phone.get_by_test_id("stat-month").inner_text() == "0"
    assert phone.get_by_test_id("stat-year").inner_text() == "0"
    shot(phone, "activities-branch-before")
    phone.get_by_test_id("log-session").click()
    # Date defaults to today, every member is ticked: the topic is all there is to type.
    assert phone.get_by_test_id("ticked").inner_text() == "2 / 2"
    phone.fill("input[name=topic]", "学习乡村振兴促进法")
    phone.get_by_label("李芳").uncheck()
    assert phone.get_by_test_id("ticked").inner_text() == "1 / 2"
    phone.fill("textarea[name=guest_names]", "张大爷")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"form overflows the phone: {width}px"
    shot(phone, "activities-session-form")
    phone.get_by_test_id("save").click()
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_test_id("stat-month").inner_text() == "1"
    assert phone.get_by_test_id("stat-person-times").inner_text() == "2"
    assert "学习乡村振兴促进法" in phone.get_by_test_id("sessions").inner_text()
    assert "李芳" in phone.get_by_test_id("never").inner_text()
    shot(phone, "activities-branch-after")

    # The same entry again is caught as a duplicate and can be merged without counting twice.
    phone.get_by_test_id("log-session").click()
    phone.fill("input[name=topic]", "学习乡村振兴促进法")
    phone.get_by_test_id("save").click()
    assert phone.get_by_test_id("duplicate").is_visible()
    shot(phone, "activities-duplicate")
    phone.get_by_test_id("merge").click()
    phone.wait_for_load_state("networkidle")
    assert phone.get_by_test_id("stat-month").inner_text() == "1"
    assert phone.get_by_test_id("stat-person-times").inner_text() == "3"


def test_officer_sees_the_district_grid_and_chart(cast, desktop):
    from datetime import timedelta

    from django.utils import timezone

    from jingpei.activities import services

    services.create_session(actor=cast.officer, branch=cast.branch_a, held_on=timezone.localdate() - timedelta(days=0),
                            topic="学习", hours="1", attendee_ids=[cast.person_a.pk])
    login(desktop, "officer")
    desktop.goto(desktop.base + f"/activities/org/{cast.district.pk}/")
    assert desktop.get_by_test_id("stat-sessions").inner_text() == "1"
    desktop.wait_for_function("document.querySelector('#activity-chart canvas') !== null")
    assert "table-warning" in (desktop.locator("tr[data-org=万金镇]").get_attribute("class") or "")
    shot(desktop, "activities-district")


def test_officer_records_a_meeting_by_picking_people(cast, phone):
    login(phone, "officer")
    phone.goto(phone.base + "/activities/meetings/new/")
    phone.fill("input[name=subject]", "脱贫攻坚形势研判会")
    phone.fill("input[name=q]", "王小")
    phone.locator(f"[data-add-person='{cast.person_a.pk}']").click()
    phone.fill("input[name=q]", "赵")
    phone.locator(f"[data-add-person='{cast.person_b.pk}']").click()
    assert phone.locator("#chosen input[name=attendee_ids]:checked").count() == 2
    shot(phone, "activities-meeting-form")
    phone.locator("button.btn-danger[name=action][value=save]").click()
    phone.wait_for_load_state("networkidle")
    assert "参会人员（2 人）" in phone.content()
    phone.goto(phone.base + "/activities/meetings/")
    assert phone.get_by_test_id("stat-person-times").inner_text() == "2"
    shot(phone, "activities-meetings")
