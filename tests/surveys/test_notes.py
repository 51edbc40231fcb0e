"""Notes of visits, forums, phone inquiries and interviews: checked, audited, tallied, kept in their
organisation's subtree."""

from __future__ import annotations

from datetime import date

import pytest

from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.core.permissions import Role
from jingpei.surveys import access, queries, services
from jingpei.surveys.models import Note
from jingpei.surveys.services import NoteInput
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _note(**changes):
    data = {"method": "visit", "held_on": date(2026, 6, 1), "summary": "走访朱集村两委",
            "needs": "电商营销，村集体经济、 电商营销 ", "place": "朱集村", "participants": 6}
    data.update(changes)
    return NoteInput(**data)


def test_a_note_is_kept_with_its_needs_split_and_audited(cast):
    note = services.save_note(actor=cast.officer, org=cast.town_a, data=_note())
    assert note.needs == "电商营销、村集体经济" and note.year == 2026 and note.recorded_by == cast.officer
    services.save_note(actor=cast.officer, org=cast.town_b, data=_note(method="forum", needs="村集体经济/党建"))
    assert queries.needs_in_notes(Note.objects.all()) == [("村集体经济", 2), ("党建", 1), ("电商营销", 1)]
    assert AuditLog.objects.filter(action="survey.note.save").count() == 2


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"method": "letter"}, "method", "请选择调研方式"),
    ({"held_on": date(2026, 6, 16)}, "held_on", "日期不能晚于今天"),
    ({"held_on": date(2016, 6, 1)}, "held_on", "只能登记去年以来的活动"),
    ({"summary": "  "}, "summary", "请填写调研情况"),
    ({"needs": " 、， "}, "needs", "请填写反映的培训需求"),
    ({"participants": 0}, "participants", "参与人数须在 1—10000 之间"),
    ({"place": "长" * 101}, "place", "地点不能超过 100 个字"),
])
def test_bad_notes_are_refused_by_field(cast, changes, field, message):
    with pytest.raises(DomainError, match=message) as caught:
        services.save_note(actor=cast.officer, org=cast.town_a, data=_note(**changes))
    assert caught.value.field == field and not Note.objects.exists()


def test_notes_stay_in_their_subtree(cast):
    officer_b = make_user("officer_b", role=Role.TRAINING_OFFICER, org=cast.town_b)
    note = services.save_note(actor=cast.officer, org=cast.town_a, data=_note())
    assert not access.visible_notes(officer_b).exists()
    with pytest.raises(NotAllowed):
        services.save_note(actor=officer_b, org=cast.town_b, note=note, data=_note())
    with pytest.raises(NotAllowed):
        services.delete_note(actor=officer_b, note=note)
    with pytest.raises(NotAllowed):
        services.save_note(actor=cast.liaison_a, org=cast.town_a, data=_note())
    services.delete_note(actor=cast.officer, note=note)
    assert not Note.objects.exists()


def test_the_note_form_names_every_mistake_in_one_round(cast, client_as):
    from jingpei.surveys.models import Note

    resp = client_as(cast.officer).post("/surveys/notes/new/", {
        "org": cast.town_a.pk, "method": "visit", "held_on": "2016-12-01", "participants": "0", "summary": " ",
        "needs": " ，、 "})
    page = resp.content.decode()
    for message in ("只能登记去年以来的活动", "此项必须填写。", "请填写反映的培训需求"):
        assert message in page, message
    assert not Note.objects.exists()
