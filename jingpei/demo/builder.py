"""The synthetic district, modelled on 召陵区: 8 townships/streets, their villages and communities,
378 party branches, ~3,000 people over the categories, and a demo account for every role.

Reproducible (one seed) and fast: rows are bulk-inserted with their tree paths computed here, which is
the same materialised path django-treebeard would compute one insert at a time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from jingpei.accounts.models import Grant, User
from jingpei.core import audit, crypto
from jingpei.core.permissions import Role
from jingpei.core.pinyin import name_keys, search_keys
from jingpei.demo import names
from jingpei.orgs.models import Category, Membership, Organization, Person, PersonCategory, PersonRank

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEP = Organization.steplen
DEMO_PASSWORD = "Jingpei@2026"  # noqa: S105 — printed on purpose for the demo
BRANCH_TARGET = 378
REGION_CODE = "411104"  # 漯河市召陵区

CATEGORIES = [
    ("top_leader", "党政一把手"),
    ("leader", "各级党政领导干部"),
    ("village_secretary", "村党组织书记"),
    ("first_secretary", "驻村第一书记"),
    ("wealth_leader", "致富带头人"),
    ("young_backbone", "青年骨干"),
    ("poverty_cadre", "扶贫干部"),
    ("party_member", "党员"),
    ("seconded", "挂职干部"),
]


def step(n: int) -> str:
    out = ""
    for _ in range(STEP):
        n, r = divmod(n, 36)
        out = ALPHABET[r] + out
    return out


@dataclass
class TreeBuilder:
    """Collects organisations with their paths, then bulk-inserts them."""

    rows: list[Organization] = field(default_factory=list)
    children: dict[str, int] = field(default_factory=dict)
    roots: int = 0

    def add(self, parent: Organization | None, name: str, kind: str) -> Organization:
        if parent is None:
            self.roots += 1
            path = step(self.roots)
        else:
            self.children[parent.path] = self.children.get(parent.path, 0) + 1
            path = parent.path + step(self.children[parent.path])
        full, initials = search_keys(name)
        org = Organization(
            path=path,
            depth=len(path) // STEP,
            numchild=0,
            name=name,
            kind=kind,
            pinyin=full,
            initials=initials,
        )
        self.rows.append(org)
        return org

    def save(self) -> list[Organization]:
        for org in self.rows:
            org.numchild = self.children.get(org.path, 0)
        Organization.objects.bulk_create(self.rows, batch_size=2000)
        return list(Organization.objects.order_by("path"))


def id_number(rng: random.Random, region: str, birth: date, male: bool, seq: int) -> str:
    order = (seq % 499) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def person_name(rng: random.Random, male: bool) -> str:
    given = names.GIVEN_MALE if male else names.GIVEN_FEMALE
    return rng.choice(names.SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))


def build_tree(rng: random.Random) -> TreeBuilder:
    tree = TreeBuilder()
    district = tree.add(None, "召陵区", "district")
    for unit in names.DISTRICT_UNITS:
        u = tree.add(district, unit, "unit")
        tree.add(u, f"{unit}机关党支部", "branch")
    branches = len(names.DISTRICT_UNITS)
    townships = [tree.add(district, n, k) for n, k in names.TOWNSHIPS]
    villages: list[Organization] = []
    used: set[str] = set()
    for i, town in enumerate(townships):
        tree.add(town, f"{town.name}机关党支部", "branch")
        branches += 1
        street = town.name.endswith("街道")
        for _ in range(28 + i % 5):
            while True:
                base = rng.choice(names.VILLAGE_FIRST) + rng.choice(names.VILLAGE_SECOND)
                vname = base + ("社区" if street else "村")
                if vname not in used:
                    used.add(vname)
                    break
            villages.append(tree.add(town, vname, "village"))
    # Every village gets one branch; the rest (to 378) go to the larger villages as second branches.
    for v in villages:
        tree.add(v, f"{v.name}党支部", "branch")
        branches += 1
    extra = BRANCH_TARGET - branches
    for v in rng.sample(villages, extra):
        tree.add(v, f"{v.name}第二党支部", "branch")
    # An enterprise group and the two counties it is paired with: several roots in one installation.
    group = tree.add(None, "中国黄金集团（演示）", "enterprise")
    tree.add(group, "集团扶贫办", "unit")
    for county in ("新蔡县（演示）", "贞丰县（演示）"):
        c = tree.add(None, county, "district")
        tree.add(c, "县委组织部", "unit")
    return tree


@transaction.atomic
def build(*, seed: int = 2018, people: int = 3000) -> dict:
    rng = random.Random(seed)
    this_year = timezone.localdate().year
    cats = {
        code: Category.objects.update_or_create(code=code, defaults={"name": name, "sort_order": i})[0]
        for i, (code, name) in enumerate(CATEGORIES)
    }
    orgs = build_tree(rng).save()
    by_path = {o.path: o for o in orgs}
    district = next(o for o in orgs if o.name == "召陵区")
    in_district = [o for o in orgs if o.path.startswith(district.path)]
    branches = [o for o in in_district if o.kind == "branch"]
    villages = [o for o in in_district if o.kind == "village"]
    units = [o for o in in_district if o.kind == "unit"]

    persons, memberships, categories = [], [], []
    seen_ids: set[str] = set()
    for i in range(people):
        male = rng.random() < 0.62
        birth = date(1958, 1, 1) + timedelta(days=rng.randrange(0, 365 * 42))
        number = id_number(rng, REGION_CODE, birth, male, i)
        while number in seen_ids:
            i += 7919
            number = id_number(rng, REGION_CODE, birth, male, i)
        seen_ids.add(number)
        roll = rng.random()
        if roll < 0.12:
            org, position = rng.choice(units), rng.choice(names.POSITIONS_UNIT)
        elif roll < 0.75:
            org = rng.choice(branches)
            position = rng.choice(names.POSITIONS_VILLAGE)
        else:
            org, position = rng.choice(villages), rng.choice(names.POSITIONS_VILLAGE)
        name = person_name(rng, male)
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        full, initials = name_keys(name)
        is_member = org.kind == "branch" or rng.random() < 0.5
        persons.append(
            Person(
                name=name,
                gender="M" if male else "F",
                birth_date=birth,
                ethnicity="汉族" if rng.random() < 0.97 else "回族",
                id_cipher=crypto.encrypt(number),
                id_hash=crypto.blind_index(number, "id_number"),
                id_masked=crypto.mask_id_number(number),
                phone_cipher=crypto.encrypt(phone),
                phone_hash=crypto.blind_index(phone, "phone"),
                phone_masked=crypto.mask_phone(phone),
                political_status="cpc" if is_member else rng.choice(["masses", "cyl"]),
                position=position,
                rank_level="village"
                if org.kind != "unit"
                else rng.choice(["section_chief", "section_deputy", "staff"]),
                primary_org=org,
                pinyin=full,
                initials=initials,
            )
        )
    Person.objects.bulk_create(persons, batch_size=1000)
    persons = list(Person.objects.select_related("primary_org").order_by("id"))
    for p in persons:
        memberships.append(Membership(person=p, org_id=p.primary_org_id, is_primary=True))
        picks = []
        if p.political_status == "cpc":
            picks.append("party_member")
        if p.position == "村党支部书记":
            picks.append("village_secretary")
        if p.position == "驻村第一书记":
            picks += ["first_secretary", "poverty_cadre"]
        if p.position == "致富带头人":
            picks.append("wealth_leader")
        if p.position in ("局长", "副局长"):
            picks.append("leader")
        if p.position == "局长" or (p.position == "村党支部书记" and rng.random() < 0.1):
            picks.append("top_leader")
        if p.birth_date.year >= 1988 and rng.random() < 0.5:
            picks.append("young_backbone")
        if p.primary_org.kind == "unit" and rng.random() < 0.4:
            picks.append("poverty_cadre")
        for code in set(picks):
            categories.append(PersonCategory(person=p, category=cats[code], year=this_year))
    # A few people also belong to a second place (a township cadre stationed in a village).
    for p in rng.sample(persons, len(persons) // 30):
        other = rng.choice(villages)
        if other.pk != p.primary_org_id:
            memberships.append(Membership(person=p, org=other, is_primary=False))
    Membership.objects.bulk_create(memberships, batch_size=2000, ignore_conflicts=True)
    PersonCategory.objects.bulk_create(categories, batch_size=2000)
    _county_leaders(random.Random(seed + 1), persons, this_year)

    # Demo people have "been there" since before this year, so rules are not prorated from today.
    Person.objects.filter(pk__in=[p.pk for p in persons]).update(
        created_at=datetime(this_year - 3, 1, 1, tzinfo=UTC)
    )
    accounts = create_demo_accounts(rng, by_path, district, persons)
    audit.record(
        "demo.build", district, actor=None, after={"seed": seed, "people": people, "orgs": len(orgs)}
    )
    return {
        "orgs": len(orgs),
        "branches": len([o for o in orgs if o.kind == "branch"]),
        "people": len(persons),
        "accounts": accounts,
    }


def _county_leaders(rng: random.Random, persons: list, this_year: int) -> None:
    """The district's county-level leaders (the 550-hour five-year rule covers them) with their rank
    history: most in office for years, three newly promoted last year (a grace year), and a district head
    promoted from deputy (within the county ranks: no grace). A separate generator: the rest of the demo
    stays as it was."""
    units = [p for p in persons if p.primary_org.kind == "unit" and p.birth_date.year <= 1980]
    leaders = rng.sample(units, min(11, len(units)))
    for i, p in enumerate(leaders):
        if i == 0:
            ranks = [("county_deputy", date(this_year - 6, 3, 1)), ("county_chief", date(this_year - 1, 1, 8))]
            p.position = "区长"
        elif i <= 3:
            ranks = [("section_chief", date(this_year - 8, 9, 1)), ("county_deputy", date(this_year - 1, 3 + i * 2, 10))]
            p.position = "副区长"
        else:
            ranks = [("section_chief", date(this_year - 12, 6, 1)), ("county_deputy", date(this_year - 4 - i % 3, 4, 20))]
            p.position = rng.choice(["区委常委", "副区长", "区人大常委会副主任"])
        p.rank_level, p.rank_since = ranks[-1]
        PersonRank.objects.bulk_create([PersonRank(person=p, rank_level=r, since=d) for r, d in ranks])
    Person.objects.bulk_update(leaders, ["position", "rank_level", "rank_since"])


def create_demo_accounts(rng, by_path, district, persons) -> list[tuple[str, str, str]]:
    """One account per role; the two township liaisons are siblings (for trying the boundary)."""
    orgs = list(by_path.values())
    laowo = next(o for o in orgs if o.name == "老窝镇")
    wanjin = next(o for o in orgs if o.name == "万金镇")
    branch = next(o for o in orgs if o.kind == "branch" and o.path.startswith(laowo.path) and o.depth == 4)
    in_branch = [p for p in persons if p.primary_org_id == branch.pk]
    in_laowo = [p for p in persons if p.primary_org.path.startswith(laowo.path) and p not in in_branch]
    in_wanjin = [p for p in persons if p.primary_org.path.startswith(wanjin.path)]
    units = [p for p in persons if p.primary_org.kind == "unit"]
    by_name = {o.name: o for o in orgs if o.kind == "unit"}
    reserved = {units[n].pk for n in (0, 1, 2, 4)}
    spare = iter([units[3], *units[5:]])

    def someone_of(unit):
        """A person of ``unit`` for its approver's account (a small demo may leave the unit empty)."""
        own = [p for p in persons if p.primary_org_id == unit.pk and p.pk not in reserved]
        person = own[-1] if own else next(p for p in spare if p.pk not in reserved)
        reserved.add(person.pk)
        return person

    plan = [
        ("officer", Role.TRAINING_OFFICER, district, units[0]),
        ("liaison_laowo", Role.LIAISON, laowo, in_laowo[0]),
        ("liaison_wanjin", Role.LIAISON, wanjin, in_wanjin[0]),
        ("secretary", Role.BRANCH_SECRETARY, branch, in_branch[0] if in_branch else in_laowo[1]),
        ("head", Role.CLASS_HEAD, district, units[1]),
        ("lecturer", Role.LECTURER, district, units[2]),
        ("trainee", None, None, in_branch[1] if len(in_branch) > 1 else in_laowo[2]),
        # the three parties of the funds' approval chain (funds.demo): one approver each
        *[(username, Role.FUNDS_APPROVER, unit, someone_of(unit))
          for username, unit in (("approver", by_name["区财政局"]), ("approver2", by_name["区扶贫开发办公室"]),
                                 ("approver3", by_name["区乡村振兴局"]))],
        ("auditor", Role.AUDITOR, district, units[4]),
        ("sysadmin", Role.SYSTEM_ADMIN, district, None),
        ("secadmin", Role.SECURITY_ADMIN, district, None),
        ("auditadmin", Role.AUDIT_ADMIN, district, None),
    ]
    made = []
    for username, role, org, person in plan:
        user = User(username=username, person=person)
        user.set_password(DEMO_PASSWORD)
        user.save()
        if role:
            Grant.objects.create(user=user, role=role, org=org)
        made.append(
            (
                username,
                str(Role(role).label) if role else "学员",
                org.name if org else person.primary_org.name,
            )
        )
    return made


def build_everything(*, seed: int = 2018, people: int = 3000, log=print) -> dict:
    """The whole demo: the district, then each capability's own demo records on top of it."""
    from jingpei.activities.demo import build_activities_demo

    result = build(seed=seed, people=people)
    activities = build_activities_demo(seed=seed)
    log(
        f"远程教育 {activities['sessions']} 次（截至 4 月 3 日 {activities['sessions_by_april_3']} 次），"
        f"{activities['active_branches']}/{activities['branches']} 个支部开展；以会代训 {activities['meetings']} 次。"
    )
    result["activities"] = activities
    from jingpei.classes.demo import build_classes_demo, describe

    classes = build_classes_demo(seed=seed)
    log(describe(classes))
    result["classes"] = classes
    result["courses"] = _academy_demo(log)
    from jingpei.funds.demo import build_funds_demo

    funds = build_funds_demo(seed=seed)
    log(f"培训经费：预算 {funds['budgets']} 份，已批准支出 {funds['expenses_spent']} 笔，审批中 {funds['waiting']} 笔，"
        f"预算调整 {funds['adjustments']} 项（1 项待审批）。")
    result["funds"] = funds
    from jingpei.surveys.demo import build_surveys_demo

    surveys = build_surveys_demo(seed=seed)
    log(f"需求调研：今年问卷 {surveys['needs_answers']} 份答卷，明年问卷进行中（已收 {surveys['open_answers']} 份），"
        f"调研记录 {surveys['notes']} 条；培训班评估 {surveys['evaluations']} 个，{surveys['evaluation_answers']} 份答卷。")
    result["surveys"] = surveys
    from jingpei.ledger import standing
    from jingpei.ledger.demo import build_online_history, scope_fulltime_rule

    online = build_online_history(seed=seed, today=timezone.localdate())
    log(f"网络学习记录 {online} 条（今年 1 月至今，网络学院与学习强国）。")
    rule = scope_fulltime_rule(actor=User.objects.get(username="officer"))
    log(f"学时规则“{rule.name}”适用于：{'、'.join(c.name for c in rule.categories.all())}。")
    # The compliance pages read the materialised figures (refreshed daily by `manage.py ledger_standing`
    # from cron); build today's now so the demo shows them from the first click.
    stats = standing.rebuild()
    log(f"学时达标统计：{stats['facts']} 条人员-规则记录，截至 {stats['as_of']}。")
    return result


def _academy_demo(log) -> int:
    """Online courses whose videos ffmpeg makes on this machine; without ffmpeg the demo goes on
    without them and says how to add them later."""
    import shutil

    from jingpei.academy.demo import build as build_courses

    if not shutil.which("ffmpeg"):
        log("未找到 ffmpeg，跳过网络学院演示课程（安装 ffmpeg 后运行 jingpei build_academy_demo）。")
        return 0
    courses = build_courses(Organization.objects.get(name="召陵区", kind="district"))
    log(f"网络学院演示课程 {len(courses)} 门。")
    return len(courses)
