"""Objects of township A carrying the marker 甲镇机密, one for every URL keyword argument of the
activities pages and API (the lead's leak test visits them all as liaison_b)."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jingpei.activities import services
from jingpei.core.permissions import Role
from tests.activities.conftest import png_bytes
from tests.factories import make_org, make_person, make_user


def make_objects(cast) -> dict[str, object]:
    branch = make_org(cast.village_a, "甲镇机密党支部", "branch")
    member = make_person(branch, "甲镇机密人")
    day = timezone.localdate() - timedelta(days=1)
    session = services.create_session(actor=cast.officer, branch=branch, held_on=day, topic="甲镇机密学习",
                                      hours="1", attendee_ids=[member.pk], guest_names=["甲镇机密列席"]).session
    photo = services.add_photos(actor=cast.officer, session=session,
                                files=[SimpleUploadedFile("a.png", png_bytes(), "image/png")])[0]
    organizer = make_org(cast.town_a, "甲镇机密办公室", "unit")
    officer_a = make_user("officer_leak_a", role=Role.TRAINING_OFFICER, org=cast.town_a)
    meeting = services.create_meeting(actor=officer_a, organizer=organizer, held_on=day, kind="forum",
                                      subject="甲镇机密座谈会", hours="2", attendee_ids=[member.pk])
    return {"org_id": branch, "session_id": session, "photo_id": photo, "meeting_id": meeting}
