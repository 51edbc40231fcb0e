"""The shared cast. Two sibling townships under one district:

召陵区 (district)  ── officer: training officer of the whole district
├── 老窝镇 (A)      ── liaison_a: liaison of A
│   └── 朱集村 → 朱集村党支部  (people: 王小明, 李芳; trainee 王小明 has an account)
└── 万金镇 (B)      ── liaison_b: liaison of B, the outsider every endpoint is tried with
    └── 刘庄村 → 刘庄村党支部  (people: 赵秘密 — a name no one outside B may ever see)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection

from jingpei.core.permissions import Role
from tests.factories import make_org, make_person, make_user, valid_id


@dataclass
class Cast:
    district: object
    town_a: object
    village_a: object
    branch_a: object
    town_b: object
    village_b: object
    branch_b: object
    person_a: object
    person_a2: object
    person_b: object
    officer: object
    liaison_a: object
    liaison_b: object
    secretary_a: object
    trainee: object
    security_admin: object
    audit_admin: object
    system_admin: object


@pytest.fixture
def cast(db) -> Cast:
    district = make_org(None, "召陵区", "district")
    town_a = make_org(district, "老窝镇")
    village_a = make_org(town_a, "朱集村", "village")
    branch_a = make_org(village_a, "朱集村党支部", "branch")
    town_b = make_org(district, "万金镇")
    village_b = make_org(town_b, "刘庄村", "village")
    branch_b = make_org(village_b, "刘庄村党支部", "branch")
    person_a = make_person(branch_a, "王小明", phone="13800001111")
    person_a2 = make_person(branch_a, "李芳", id_number=valid_id(male=False))
    person_b = make_person(branch_b, "赵秘密", phone="13900002222")
    return Cast(
        district=district,
        town_a=town_a,
        village_a=village_a,
        branch_a=branch_a,
        town_b=town_b,
        village_b=village_b,
        branch_b=branch_b,
        person_a=person_a,
        person_a2=person_a2,
        person_b=person_b,
        officer=make_user("officer", role=Role.TRAINING_OFFICER, org=district),
        liaison_a=make_user("liaison_a", role=Role.LIAISON, org=town_a),
        liaison_b=make_user("liaison_b", role=Role.LIAISON, org=town_b),
        secretary_a=make_user("secretary_a", role=Role.BRANCH_SECRETARY, org=branch_a),
        trainee=make_user("trainee", person=person_a),
        security_admin=make_user("secadmin", role=Role.SECURITY_ADMIN, org=district),
        audit_admin=make_user("auditadmin", role=Role.AUDIT_ADMIN, org=district),
        system_admin=make_user("sysadmin", role=Role.SYSTEM_ADMIN, org=district),
    )


@pytest.fixture
def client_as(client):
    """``client_as(user)``: the test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _presets(request):
    """The preset rules (requirement and conversion: classes and the academy credit by the latter), also
    after a transactional test has flushed the tables the migrations filled."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "cast" not in request.fixturenames:
        return
    from jingpei.ledger import presets

    request.getfixturevalue("transactional_db" if marker and marker.kwargs.get("transaction") else "db")
    presets.install()


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language: a request in English must not leak into the next
    test run by the same worker (Django keeps the activated language per thread)."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture
def pg():
    """Skips a test that needs PostgreSQL (its concurrency, its cursors) on other databases."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
