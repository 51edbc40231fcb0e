"""Importing a roster: cleaning, every bad input the issue names, duplicates, idempotence, and
all-or-nothing commits."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import OperationalError

from jingpei.core import crypto
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.orgs.models import Category, Membership, Person, PersonCategory
from jingpei.roster import services
from jingpei.roster.models import RosterImport
from tests.factories import make_org, valid_id
from tests.roster.builders import committed, csv_file, problems, row, validated, xls, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(db):
    return {
        "党员": Category.objects.create(code="party", name="党员"),
        "驻村第一书记": Category.objects.create(code="first-sec", name="驻村第一书记", sort_order=1),
    }


def test_real_world_file_is_cleaned_and_imported(cast, categories):
    id1 = valid_id(date(1975, 3, 8), male=True)
    id2 = valid_id(date(1982, 11, 2), male=False)[:-1]
    id2 += crypto_check(id2)
    id3 = valid_id(date(1990, 1, 31), male=True)
    id4 = valid_id(date(1968, 7, 9), male=False)
    full_width = id1.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [
        row(" 张 伟 ", f" {full_width} ", "召陵区/老窝镇/朱集村", gender="男", birth=27461, phone="138 0000 1234",
            categories="党员、驻村第一书记"),
        row("刘丽", id2.lower(), "朱集村党支部", seq=2, gender="女", birth="1982/11/2", ethnicity="回",
            political="团员", rank="村（社区）干部"),
        row("陈强", id3, "老窝镇／朱集村", seq=3, birth="1990年1月31日", political="群众"),
        row("孙红", id4, "朱集村", seq=4, birth="1968.07", political=""),
    ]
    imp = committed(cast.liaison_a, xlsx(rows))
    assert imp.status == RosterImport.Status.COMMITTED
    assert problems(imp) == []
    assert imp.counts == {"new": 4, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 0, "warnings": 0,
                          "total": 4}
    assert imp.header_row == 2  # the title row above the headers was recognised as such
    zhang = Person.objects.get(id_hash=crypto.blind_index(id1, "id_number"))
    assert zhang.name == "张伟"
    assert zhang.birth_date == date(1975, 3, 8) and zhang.gender == "M"
    assert zhang.reveal_id_number() == id1 and zhang.id_masked == crypto.mask_id_number(id1)
    assert zhang.reveal_phone() == "13800001234" and zhang.phone_masked == "138****1234"
    assert zhang.political_status == "cpc" and zhang.position == "村委委员"
    assert " zhangwei" in zhang.pinyin and " zw" in zhang.initials
    assert zhang.primary_org == cast.village_a
    assert Membership.objects.get(person=zhang).is_primary
    assert sorted(PersonCategory.objects.filter(person=zhang, year=2026).values_list("category__name", flat=True)) \
        == ["党员", "驻村第一书记"]
    liu = Person.objects.get(name="刘丽")
    assert liu.reveal_id_number() == id2.upper() and liu.ethnicity == "回族"
    assert liu.political_status == "cyl" and liu.rank_level == "village" and liu.primary_org == cast.branch_a
    assert Person.objects.get(name="孙红").political_status == "masses"
    summary = AuditLog.objects.get(action="roster.import")
    assert summary.after["sha256"] == imp.file_sha256 and summary.after["counts"]["new"] == 4
    assert summary.actor == cast.liaison_a and summary.org_path.startswith(cast.town_a.path)
    created = AuditLog.objects.filter(action="person.import.create")
    assert created.count() == 4
    assert id1 not in str(list(created.values_list("after", flat=True)))  # only masked numbers in the trail


def crypto_check(body17: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(body17[:17] + "0")
