"""Rotating the field key: before, nobody is found by number; after rotate_field_keys, everyone is, under the
new key alone; a value no key opens stops it with nothing changed; a start refuses a stale index."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from jingpei.accounts.backends import UsernameOrPhoneBackend
from jingpei.core import crypto, fieldkeys
from jingpei.orgs import queries
from jingpei.orgs.models import Person
from jingpei.roster.models import ImportRow, RosterImport
from tests.factories import make_person, valid_id

OLD, NEW = ["old-key-2025"], ["new-key-2026", "old-key-2025"]


@pytest.fixture(autouse=True)
def old_key(settings):
    """Everyone in these tests was registered under the old key."""
    settings.FIELD_ENCRYPTION_KEYS = OLD


@pytest.fixture
def registered(cast):
    number = valid_id()
    person = make_person(cast.branch_a, "钱轮换", id_number=number, phone="13700001234")
    # a value from before AES-GCM (a Fernet token) is rotated too
    legacy = crypto._fernet(tuple(OLD)).encrypt(b"13900009999").decode()
    Person.objects.filter(pk=cast.person_a2.pk).update(phone_cipher=legacy,
                                                      phone_hash=crypto.blind_index("13900009999", "phone"))
    imp = RosterImport.objects.create(created_by=cast.officer, filename="花名册.xlsx", file_format="xlsx",
                                      stored_name="x.xlsx", category_year=2026)
    row = ImportRow(roster_import=imp, row=3, rejected=True, problems=[])
    row.values = ["钱轮换", number]
    row.save()
    assert fieldkeys.index_is_current()
    return person, number


def found(number: str, phone: str) -> tuple[bool, bool]:
    people = Person.objects.all()
    return (queries.search_people(people, number).exists(), queries.search_people(people, phone).exists())


def test_a_new_key_without_rotation_finds_nobody_then_rotation_fixes_it(cast, registered):
    person, number = registered
    with override_settings(FIELD_ENCRYPTION_KEYS=NEW):
        assert not fieldkeys.index_is_current()
        assert found(number, "13700001234") == (False, False)  # the failure the start now refuses
        call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert fieldkeys.index_is_current()
    with override_settings(FIELD_ENCRYPTION_KEYS=NEW[:1]):  # the old key retired
        assert found(number, "13700001234") == (True, True)
        person.refresh_from_db()
        assert person.reveal_id_number() == number and person.id_cipher.startswith(crypto.PREFIX)
        legacy = Person.objects.get(pk=cast.person_a2.pk)
        assert legacy.reveal_phone() == "13900009999" and legacy.phone_cipher.startswith(crypto.PREFIX)
        assert ImportRow.objects.get().values == ["钱轮换", number]


def test_phone_login_survives_rotation(cast, registered):
    from tests.factories import make_user

    person, _number = registered
    with override_settings(FIELD_ENCRYPTION_KEYS=OLD):
        make_user("qian", person=person)
    with override_settings(FIELD_ENCRYPTION_KEYS=NEW):
        fieldkeys.rotate()
        user = UsernameOrPhoneBackend().authenticate(None, username="13700001234", password="Secret-pass-2026")
    assert user is not None and user.username == "qian"


def test_a_value_no_key_opens_stops_the_rotation_and_changes_nothing(cast, registered):
    person, _number = registered
    Person.objects.filter(pk=cast.person_b.pk).update(id_cipher="v2:AAAA" + "B" * 40)
    before = sorted(Person.objects.values_list("pk", "id_cipher", "id_hash", "phone_cipher", "phone_hash"))
    with override_settings(FIELD_ENCRYPTION_KEYS=NEW), pytest.raises(CommandError, match=f"人员 #{cast.person_b.pk} 的加密数据无法"):
        call_command("rotate_field_keys")
    assert sorted(Person.objects.values_list("pk", "id_cipher", "id_hash", "phone_cipher", "phone_hash")) == before


def test_a_start_refuses_a_stale_index(cast, registered, monkeypatch):
    from jingpei import cli

    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    with override_settings(FIELD_ENCRYPTION_KEYS=NEW), pytest.raises(SystemExit, match="rotate_field_keys"):
        cli._prepare()


def test_an_empty_register_is_current(db):
    assert fieldkeys.index_is_current()


def test_a_bad_import_row_at_the_end_undoes_the_people_already_rotated(cast, registered):
    ImportRow.objects.update(values_cipher="v2:" + "C" * 48)
    before = sorted(Person.objects.values_list("pk", "id_cipher", "id_hash"))
    with override_settings(FIELD_ENCRYPTION_KEYS=NEW), pytest.raises(CommandError, match="花名册导入的问题行 #"):
        call_command("rotate_field_keys")
    assert sorted(Person.objects.values_list("pk", "id_cipher", "id_hash")) == before
