"""Large synthetic districts for benchmarks: up to 100k organisations and 1M people.

The same kind of data as the demo district (``jingpei.demo.builder``): treebeard materialised paths
(steplen 4, alphabet 0-9A-Z) computed here, people with encrypted ID and phone numbers, keyed hashes,
masked forms and pinyin keys, one primary membership each, a few second memberships, and categories
of the current year. The shape is a city root over counties of about ``ORGS_PER_COUNTY`` organisations
(units with their branches, townships with a branch and villages, each village one or two branches),
people spread over the counties in proportion, so at 100k organisations / 1M people each county is a
subtree of about 50k people — the size the people-list benchmark asks for.

Speed: primary keys are assigned here (so no row has to be read back), rows are streamed in chunks
and written with ``COPY`` on PostgreSQL (``bulk_create`` elsewhere), pinyin is computed once per
distinct name from a limited pool (names repeat in life too), and the tables are analysed at the end
(vacuumed, where no outer transaction prevents it) so the planner sees the real sizes and
can use index-only scans.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from jingpei.accounts.models import Grant, User
from jingpei.core import audit, crypto
from jingpei.core.permissions import Role
from jingpei.core.pinyin import name_keys, search_keys
from jingpei.demo import names
from jingpei.demo.builder import CATEGORIES, DEMO_PASSWORD, id_number, person_name, step
from jingpei.orgs.models import Category, Membership, Organization, Person, PersonCategory

ROOT_NAME = "演示市（规模测试）"
ORGS_PER_COUNTY = 5000
NAME_POOL = 6000  # distinct names per gender; pinyin (~170 µs a name) is computed once for each
CHUNK = 20000  # people generated and written per round trip
SET_ASIDE_FROM = 50_000  # people; below this, rebuilding whole indexes costs more than it saves
# Real county-level codes of 河南 (not 411104 召陵区, which the demo and the tests use), so that every
# synthetic ID number passes the region check without a warning and never collides with demo IDs.
REGION_CODES = tuple(
    """
    411102 411103 411121 411122 411721 411722 411723 411724 411725 411726
    411727 411728 411729 411621 411622 411623 411624 411625 411627 411628
    411521 411522 411523 411524 411525 411526 411527 411528 411024 411025
    """.split()
)
COUNTY_FIRST = "平安永和安康丰泰兴盛长乐宁定清河临阳武城新华东西南北"
COUNTY_SECOND = "阳城川原江山丘陵安宁平水"
TOWN_SUFFIXES = ("镇", "镇", "镇", "乡", "街道")


@cache
def _keys(name: str) -> tuple[str, str]:
    return search_keys(name)


# --- writing rows ---------------------------------------------------------------------------------
class RowWriter:
    """Writes rows (tuples in ``attnames`` order) of one model: ``COPY`` on PostgreSQL, batched
    ``bulk_create`` elsewhere."""

    def __init__(self, model: type[models.Model], attnames: list[str]):
        self.model = model
        self.attnames = attnames
        fields = [next(f for f in model._meta.concrete_fields if f.attname == a) for a in attnames]
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.copy_sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({cols}) FROM STDIN"
        self.count = 0

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        self.count += len(rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            objs = [self.model(**dict(zip(self.attnames, row, strict=True))) for row in rows]
            self.model.objects.bulk_create(objs, batch_size=2000)


@contextmanager
def indexes_set_aside(models_: list[type[models.Model]], *, enabled: bool = True) -> Iterator[None]:
    """On PostgreSQL, drop the plain (non-constraint, non-key) indexes of ``models_`` for a bulk load and
    build them again afterwards from their own definitions: one sorted build per index instead of a
    million random insertions (the person table has ten such indexes). Inside the caller's
    transaction, so a failed load leaves the indexes as they were."""
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                              WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)
            """,
            [tables],
        )
        plain = cursor.fetchall()
        for name, _definition in plain:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of the load must run first: PostgreSQL refuses to build an
        # index on a table with pending trigger events. They would run at commit anyway.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # sorts of a million keys in memory
        for _name, definition in plain:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


# --- the tree -------------------------------------------------------------------------------------
@dataclass
class County:
    org_id: int
    path: str
    region: str
    units: list[int] = field(default_factory=list)  # unit ids and their branches' ids
    branches: list[int] = field(default_factory=list)
    villages: list[int] = field(default_factory=list)
    people: int = 0


@dataclass
class Tree:
    """Organisation rows with explicit ids and treebeard paths; ``numchild`` kept as nodes are added."""

    next_id: int
    rows: list[list] = field(default_factory=list)  # [id, path, depth, numchild, name, kind]

    def add(self, parent: list | None, name: str, kind: str, *, number: int = 0) -> list:
        if parent is None:
            path = step(number)
        else:
            parent[3] += 1
            path = parent[1] + step(parent[3])
        row = [self.next_id, path, len(path) // Organization.steplen, 0, name, kind]
        self.next_id += 1
        self.rows.append(row)
        return row


def _unique_name(rng: random.Random, used: set[str], make) -> str:
    for _ in range(20):
        name = make()
        if name not in used:
            break
    else:
        name = f"{make()}{len(used) + 1}"
    used.add(name)
    return name


def _shape(budget: int) -> tuple[int, int, int, int]:
    """(units, townships, villages, extra branches) for a county of ``budget`` nodes including itself:
    each unit and township brings its own branch, each village one branch, and about 40% of villages
    a second one (召陵区 has 378 branches for its ~260 villages)."""
    if budget < 5:
        return 0, 0, 0, 0
    units = max(0, min(10, (budget - 5) // 60))
    townships = max(1, min(40, round(budget**0.5 / 4)))
    rest = max(0, budget - 1 - 2 * units - 2 * townships)
    villages = round(rest / 2.4)
    extra = max(0, rest - 2 * villages)
    if extra > villages:  # tiny budgets: more branches than villages can hold
        villages = rest // 2
        extra = rest - 2 * villages
    return units, townships, villages, extra


def build_tree(rng: random.Random, orgs: int, first_id: int, root_number: int) -> tuple[Tree, list[County]]:
    tree = Tree(next_id=first_id)
    root = tree.add(None, ROOT_NAME, "district", number=root_number)
    n_counties = max(1, round((orgs - 1) / ORGS_PER_COUNTY))
    budgets = [
        (orgs - 1) // n_counties + (1 if i < (orgs - 1) % n_counties else 0) for i in range(n_counties)
    ]
    county_names: set[str] = set()
    counties = []
    for ci, budget in enumerate(budgets):
        cname = _unique_name(
            rng, county_names, lambda: rng.choice(COUNTY_FIRST) + rng.choice(COUNTY_SECOND) + "县"
        )
        crow = tree.add(root, cname + "（演示）", "district")
        county = County(org_id=crow[0], path=crow[1], region=REGION_CODES[ci % len(REGION_CODES)])
        counties.append(county)
        n_units, n_towns, n_villages, extra = _shape(budget)
        if not n_towns:
            county.villages.append(crow[0])  # a one-node county: people belong to the county itself
            continue
        for unit in names.DISTRICT_UNITS[:n_units]:
            urow = tree.add(crow, unit.replace("区", "县", 1), "unit")
            brow = tree.add(urow, f"{urow[4]}机关党支部", "branch")
            county.units += [urow[0], brow[0]]
        used: set[str] = set()
        towns = []
        for _ in range(n_towns):
            tname = _unique_name(
                rng,
                used,
                lambda: (
                    rng.choice(names.VILLAGE_FIRST)
                    + rng.choice(names.VILLAGE_SECOND)
                    + rng.choice(TOWN_SUFFIXES)
                ),
            )
            trow = tree.add(crow, tname, "township")
            county.branches.append(tree.add(trow, f"{tname}机关党支部", "branch")[0])
            towns.append(trow)
        village_rows = []
        for vi in range(n_villages):
            town = towns[vi % len(towns)]
            street = town[4].endswith("街道")
            vname = _unique_name(
                rng,
                used,
                lambda street=street: (
                    rng.choice(names.VILLAGE_FIRST)
                    + rng.choice(names.VILLAGE_SECOND)
                    + rng.choice(names.VILLAGE_SECOND)
                    + ("社区" if street else "村")
                ),
            )
            vrow = tree.add(town, vname, "village")
            county.villages.append(vrow[0])
            village_rows.append(vrow)
        for vrow in village_rows:
            county.branches.append(tree.add(vrow, f"{vrow[4]}党支部", "branch")[0])
        for vrow in rng.sample(village_rows, min(extra, len(village_rows))):
            county.branches.append(tree.add(vrow, f"{vrow[4]}第二党支部", "branch")[0])
    return tree, counties


def write_tree(tree: Tree, now) -> None:
    writer = RowWriter(
        Organization,
        [
            "id",
            "path",
            "depth",
            "numchild",
            "name",
            "kind",
            "code",
            "pinyin",
            "initials",
            "archived_at",
            "created_at",
            "updated_at",
        ],
    )
    for start in range(0, len(tree.rows), CHUNK):
        batch = []
        for oid, path, depth, numchild, name, kind in tree.rows[start : start + CHUNK]:
            full, initials = _keys(name)
            batch.append((oid, path, depth, numchild, name, kind, "", full, initials, None, now, now))
        writer.write(batch)


# --- people ---------------------------------------------------------------------------------------
@dataclass
class PeopleStream:
    """Generates people, memberships and categories chunk by chunk, with explicit ids."""

    rng: random.Random
    categories: dict[str, int]
    year: int
    now: object
    person_id: int
    membership_id: int
    category_id: int
    pools: dict[bool, list[str]] = field(default_factory=dict)
    orders: dict[tuple[int, bool], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for male in (True, False):
            self.pools[male] = [person_name(self.rng, male) for _ in range(NAME_POOL)]

    def unique_id_number(self, region: str, birth: date, male: bool) -> tuple[str, date]:
        """A valid ID number never issued before in this build: the sequence digits count up per
        (birth date, sex), so 1M people need no set of seen numbers."""
        while True:
            key = (birth.toordinal(), male)
            seq = self.orders.get(key, 0)
            if seq < 499:
                self.orders[key] = seq + 1
                return id_number(self.rng, region, birth, male, seq), birth
            birth += timedelta(days=1)

    def person(self, county: County, persons: list, memberships: list, cats: list) -> None:
        rng = self.rng
        male = rng.random() < 0.62
        birth = date(1958, 1, 1) + timedelta(days=rng.randrange(0, 365 * 42))
        number, birth = self.unique_id_number(county.region, birth, male)
        roll = rng.random()
        if roll < 0.12 and county.units:
            org_id, kind = rng.choice(county.units), "unit"
            position, rank = (
                rng.choice(names.POSITIONS_UNIT),
                rng.choice(["section_chief", "section_deputy", "staff"]),
            )
        elif roll < 0.75 and county.branches:
            org_id, kind = rng.choice(county.branches), "branch"
            position, rank = rng.choice(names.POSITIONS_VILLAGE), "village"
        else:
            org_id, kind = rng.choice(county.villages or county.branches or county.units), "village"
            position, rank = rng.choice(names.POSITIONS_VILLAGE), "village"
        name = rng.choice(self.pools[male])
        full, initials = name_keys(name)
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        member = kind == "branch" or rng.random() < 0.5
        pid = self.person_id
        self.person_id += 1
        persons.append(
            (
                pid,
                name,
                "M" if male else "F",
                "汉族" if rng.random() < 0.97 else "回族",
                birth,
                crypto.encrypt(number),
                crypto.blind_index(number, "id_number"),
                crypto.mask_id_number(number),
                crypto.encrypt(phone),
                crypto.blind_index(phone, "phone"),
                crypto.mask_phone(phone),
                "cpc" if member else rng.choice(["masses", "cyl"]),
                position,
                rank,
                org_id,
                full,
                initials,
                None,
                self.now,
                self.now,
            )
        )
        memberships.append((self.membership_id, pid, org_id, True, "", self.now))
        self.membership_id += 1
        # A few people also belong to a second place (a township cadre stationed in a village).
        if rng.random() < 1 / 30 and county.villages:
            other = rng.choice(county.villages)
            if other != org_id:
                memberships.append((self.membership_id, pid, other, False, "", self.now))
                self.membership_id += 1
        for code in self.category_codes(member, position, kind, birth):
            cats.append((self.category_id, pid, self.categories[code], self.year))
            self.category_id += 1

    def category_codes(self, member: bool, position: str, kind: str, birth: date) -> set[str]:
        rng = self.rng
        picks = set()
        if member:
            picks.add("party_member")
        if position == "村党支部书记":
            picks.add("village_secretary")
            if rng.random() < 0.1:
                picks.add("top_leader")
        elif position == "驻村第一书记":
            picks |= {"first_secretary", "poverty_cadre"}
        elif position == "致富带头人":
            picks.add("wealth_leader")
        elif position in ("局长", "副局长"):
            picks |= {"leader", "top_leader"} if position == "局长" else {"leader"}
        if birth.year >= 1988 and rng.random() < 0.5:
            picks.add("young_backbone")
        if kind == "unit" and rng.random() < 0.4:
            picks.add("poverty_cadre")
        return picks

    def chunks(self, counties: list[County]) -> Iterator[tuple[list, list, list]]:
        persons, memberships, cats = [], [], []
        for county in counties:
            for _ in range(county.people):
                self.person(county, persons, memberships, cats)
                if len(persons) >= CHUNK:
                    yield persons, memberships, cats
                    persons, memberships, cats = [], [], []
        if persons:
            yield persons, memberships, cats


PERSON_FIELDS = [
    "id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_cipher",
    "id_hash",
    "id_masked",
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "political_status",
    "position",
    "rank_level",
    "primary_org_id",
    "pinyin",
    "initials",
    "archived_at",
    "created_at",
    "updated_at",
]


def _spread(total: int, counties: list[County], weights: Iterable[int]) -> None:
    weights = list(weights)
    whole = sum(weights) or 1
    given = 0
    for county, w in zip(counties, weights, strict=True):
        county.people = total * w // whole
        given += county.people
    for county in counties[: total - given]:
        county.people += 1


# --- accounts and the whole build -----------------------------------------------------------------
def create_accounts(root_id: int, counties: list[County]) -> list[tuple[str, str, str]]:
    """A training officer of the whole city and two liaisons of sibling counties (for trying the
    boundary); usernames already taken (e.g. by the demo district) are left alone."""
    orgs = Organization.objects.in_bulk([root_id] + [c.org_id for c in counties[:2]])
    plan = [("scale_officer", Role.TRAINING_OFFICER, orgs[root_id])]
    plan += [(f"scale_liaison_{i + 1}", Role.LIAISON, orgs[c.org_id]) for i, c in enumerate(counties[:2])]
    made = []
    for username, role, org in plan:
        if User.objects.filter(username=username).exists():
            continue
        user = User(username=username)
        user.set_password(DEMO_PASSWORD)
        user.save()
        Grant.objects.create(user=user, role=role, org=org)
        made.append((username, str(Role(role).label), org.name))
    return made


def build_scale(
    *, orgs: int = 100_000, people: int = 1_000_000, seed: int = 2018, accounts: bool = True, progress=None
) -> dict:
    """Build a city of ``orgs`` organisations and ``people`` people beside whatever the database
    holds (a new root of the tree). Returns counts, the root and county ids, accounts and seconds."""
    if orgs < 2:
        raise ValueError("orgs must be at least 2 (a root and one county)")
    started = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    say = progress or (lambda message: None)
    with transaction.atomic():
        # The ID numbers are a function of the seed: a second city in one database would repeat them.
        if Organization.objects.filter(depth=1, name=ROOT_NAME).exists():
            raise ValueError(f"{ROOT_NAME} already exists: build the scale into a fresh database")
        cats = {
            code: Category.objects.update_or_create(code=code, defaults={"name": name, "sort_order": i})[0].pk
            for i, (code, name) in enumerate(CATEGORIES)
        }
        last_root = Organization.objects.filter(depth=1).aggregate(m=Max("path"))["m"]
        tree, counties = build_tree(
            rng, orgs, _next_id(Organization), int(last_root, 36) + 1 if last_root else 1
        )
        write_tree(tree, now)
        say(f"{len(tree.rows)} organisations in {time.perf_counter() - started:.1f}s")
        _spread(people, counties, (len(c.units) + len(c.branches) + len(c.villages) for c in counties))
        stream = PeopleStream(
            rng=rng,
            categories=cats,
            year=timezone.localdate().year,
            now=now,
            person_id=_next_id(Person),
            membership_id=_next_id(Membership),
            category_id=_next_id(PersonCategory),
        )
        person_w = RowWriter(Person, PERSON_FIELDS)
        member_w = RowWriter(Membership, ["id", "person_id", "org_id", "is_primary", "title", "created_at"])
        cat_w = RowWriter(PersonCategory, ["id", "person_id", "category_id", "year"])
        writing = 0.0
        with indexes_set_aside([Person, Membership, PersonCategory], enabled=people >= SET_ASIDE_FROM):
            for persons, memberships, person_cats in stream.chunks(counties):
                t = time.perf_counter()
                person_w.write(persons)
                member_w.write(memberships)
                cat_w.write(person_cats)
                writing += time.perf_counter() - t
                say(
                    f"{person_w.count} people in {time.perf_counter() - started:.1f}s (writing {writing:.1f}s)"
                )
            t = time.perf_counter()
        say(f"indexes rebuilt in {time.perf_counter() - t:.1f}s")
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Organization, Person, Membership, PersonCategory]
            ):
                cursor.execute(sql)
        root = Organization.objects.get(pk=tree.rows[0][0])
        made = create_accounts(root.pk, counties) if accounts else []
        audit.record(
            "demo.build_scale", root, actor=None, after={"seed": seed, "orgs": orgs, "people": people}
        )
    if connection.vendor == "postgresql":
        # VACUUM sets the visibility map that index-only scans need (after a bulk load it is empty until
        # autovacuum comes by, and the planner then avoids the membership indexes); it cannot run in a
        # transaction, so a caller's outer atomic block gets statistics only.
        tables = ", ".join(m._meta.db_table for m in (Organization, Person, Membership, PersonCategory))
        with connection.cursor() as cursor:
            cursor.execute(("ANALYZE " if connection.in_atomic_block else "VACUUM (ANALYZE) ") + tables)
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    return {
        "orgs": len(tree.rows),
        "branches": sum(1 for r in tree.rows if r[5] == "branch"),
        "people": person_w.count,
        "memberships": member_w.count,
        "categories": cat_w.count,
        "root_id": root.pk,
        "county_ids": [c.org_id for c in counties],
        "accounts": made,
        "seconds": round(seconds, 1),
    }
