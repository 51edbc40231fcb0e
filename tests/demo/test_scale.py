"""The large-scale generator: a tiny city built with it must hold the same invariants as real data."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, F, Q

from jingpei.core import crypto
from jingpei.core.pinyin import name_keys
from jingpei.demo import scale
from jingpei.demo.builder import ALPHABET
from jingpei.demo.scale import build_scale
from jingpei.orgs.access import visible_people
from jingpei.orgs.idnumbers import parse_id_number
from jingpei.orgs.models import Membership, Organization, Person, PersonCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return build_scale(orgs=300, people=1500, seed=7)


def test_counts_and_shape(city):
    assert city["orgs"] == Organization.objects.count() == 300
    assert city["people"] == Person.objects.count() == 1500
    assert city["memberships"] == Membership.objects.count()
    assert city["categories"] == PersonCategory.objects.count() > 0
    root = Organization.objects.get(pk=city["root_id"])
    assert root.depth == 1 and root.is_root()
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds["branch"] > kinds["village"] > kinds["township"] > 0


def test_paths_are_valid_unique_and_numchild_right(city):
    rows = list(Organization.objects.values_list("path", "depth", "numchild"))
    paths = [p for p, _d, _n in rows]
    assert len(set(paths)) == len(paths)
    children = Counter(p[: -Organization.steplen] for p in paths if len(p) > Organization.steplen)
    for path, depth, numchild in rows:
        assert len(path) % Organization.steplen == 0 and set(path) <= set(ALPHABET)
        assert depth == len(path) // Organization.steplen
        assert depth == 1 or path[: -Organization.steplen] in children  # parent exists
        assert numchild == children.get(path, 0)
    # treebeard's own consistency check agrees: no bad characters, orphans, depths or numchild.
    assert all(not problems for problems in Organization.objects.find_problems())
    assert [o.pk for o in Organization.objects.get_tree()] == list(
        Organization.objects.order_by("path").values_list("pk", flat=True)
    )


def test_one_primary_membership_matching_primary_org(city):
    primaries = Membership.objects.filter(is_primary=True)
    assert primaries.count() == Person.objects.count()
    assert (
        not Person.objects.annotate(n=Count("memberships", filter=Q(memberships__is_primary=True)))
        .exclude(n=1)
        .exists()
    )
    assert not primaries.exclude(org_id=F("person__primary_org_id")).exists()
    assert Membership.objects.filter(is_primary=False).exists()  # some people belong to a second place


def test_numbers_decrypt_validate_and_match_their_hashes(city):
    for p in Person.objects.order_by("id")[:400]:
        number = p.reveal_id_number()
        parsed = parse_id_number(number)
        assert parsed.warnings == []
        assert (parsed.birth_date, parsed.gender) == (p.birth_date, p.gender)
        assert p.id_hash == crypto.blind_index(number, "id_number")
        assert p.id_masked == crypto.mask_id_number(number)
        phone = p.reveal_phone()
        assert len(phone) == 11 and phone.startswith("1")
        assert (p.phone_hash, p.phone_masked) == (
            crypto.blind_index(phone, "phone"),
            crypto.mask_phone(phone),
        )
        assert (p.pinyin, p.initials) == name_keys(p.name)
    assert Person.objects.values("id_hash").distinct().count() == Person.objects.count()


def test_counties_split_the_city_and_liaisons_see_only_their_own(monkeypatch):
    from jingpei.accounts.models import User

    monkeypatch.setattr(scale, "ORGS_PER_COUNTY", 100)
    city = build_scale(orgs=301, people=900, seed=3)
    assert city["orgs"] == 301 and len(city["county_ids"]) == 3
    counties = Organization.objects.in_bulk(city["county_ids"])
    sizes = [Person.objects.in_subtree(counties[c]).count() for c in city["county_ids"]]
    assert all(250 <= n <= 350 for n in sizes), sizes
    officer, liaison_1 = (User.objects.get(username=u) for u in ("scale_officer", "scale_liaison_1"))
    assert visible_people(officer).count() == 900
    own, sibling = counties[city["county_ids"][0]], counties[city["county_ids"][1]]
    assert visible_people(liaison_1).count() == sizes[0]
    assert (
        not visible_people(liaison_1)
        .in_subtree(sibling)
        .filter(~Q(memberships__org__path__startswith=own.path))
        .exists()
    )


def test_a_second_city_in_one_database_is_refused(city):
    with pytest.raises(ValueError, match="already exists"):
        build_scale(orgs=40, people=10, seed=2)


def test_people_page_query_count_does_not_grow_with_the_rows_shown(city, client):
    """The people page over generated data: total shown, and the same number of queries whether page
    1 holds one row, a few, or a full page."""
    from django.test.utils import CaptureQueriesContext

    from jingpei.accounts.models import User

    client.force_login(User.objects.get(username="scale_officer"))
    by_rows: dict[int, Organization] = {}
    for org in Organization.objects.filter(kind__in=["branch", "village", "district"]).order_by("path"):
        by_rows.setdefault(min(Person.objects.in_subtree(org).count(), 20), org)
    assert {1, 20} <= by_rows.keys() and len(by_rows) >= 4, sorted(by_rows)
    counts = {}
    for rows, org in sorted(by_rows.items()):
        if rows == 0:
            continue
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/people/", {"org": org.pk})
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="person-card"') == rows
        counts[rows] = len(captured)
    assert len(set(counts.values())) == 1, counts
    county = Organization.objects.get(pk=city["county_ids"][0])
    total = Person.objects.in_subtree(county).count()
    html = client.get("/people/", {"org": county.pk}).content.decode()
    assert f"共 {total} 人" in html or f"共 {total:,} 人" in html  # grouping follows the locale


def _index_definitions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename IN "
            "('orgs_person', 'orgs_membership', 'orgs_personcategory')"
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres
def test_large_loads_set_indexes_aside_and_build_them_again(monkeypatch):
    """Above ``SET_ASIDE_FROM`` people the plain indexes are dropped for the load and rebuilt: the
    schema afterwards is exactly the migrated one, and the constraints still hold."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: elsewhere the load keeps its indexes")
    before = _index_definitions()
    monkeypatch.setattr(scale, "SET_ASIDE_FROM", 0)
    result = build_scale(orgs=120, people=600, seed=5)
    assert _index_definitions() == before
    assert result["people"] == Person.objects.filter(pinyin__gt="").count() == 600
    assert Membership.objects.filter(is_primary=True).count() == 600
