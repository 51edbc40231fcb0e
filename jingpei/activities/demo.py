"""Demo sessions and meetings for the demo district (召陵区): by 3 April of the current year its 378
branches have logged 1,034 remote-education sessions (the figure of the article), most branches are
active, and sessions continue at that pace to today; a dozen meetings train the top leaders (200+
person-times). Person-times and coverage are not set here: the district view computes them from these
records.

Sessions and attendances are bulk-inserted; each attendee's hours go through the ledger's
batch service ``credit_many`` (the only way into the ledger besides ``credit_hours``) — see ``credit_all``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from jingpei.activities.models import (
    BranchSession,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    SessionAttendance,
    topic_key,
)
from jingpei.ledger import services as ledger_services
from jingpei.ledger.models import LedgerEntry, TrainingForm
from jingpei.orgs.models import Membership, Organization, Person, PersonCategory

SESSIONS_BY_APRIL_3 = 1034
ACTIVE_SHARE = 0.96
MEETING_COUNT = 8
TOPICS = [
    "学习贯彻习近平新时代中国特色社会主义思想", "乡村振兴战略专题解读", "精准扶贫政策宣讲", "党史学习教育专题",
    "《中国共产党农村基层组织工作条例》学习", "壮大村集体经济经验交流", "小麦病虫害绿色防控技术", "大蒜种植与储藏技术",
    "食用菌种植实用技术", "生猪标准化养殖技术", "农村电商实务", "民法典进农村", "移风易俗与文明乡风",
    "农村人居环境整治", "党员先锋模范作用专题", "基层党建工作规范化", "优秀共产党员先进事迹", "致富带头人经验分享",
    "防范电信网络诈骗", "防汛抗旱与安全生产", "产业扶贫典型案例", "扶贫小额信贷政策解读",
]
COURSEWARE = ["党员教育电视片", "共产党员网课件", "河南省农村党员干部现代远程教育课件", "学习强国专题视频",
              "中国农村远程教育网课件"]
PLACES = ["村党群服务中心", "村委会会议室", "党员活动室", "远程教育终端站点"]
HOURS = [Decimal("1"), Decimal("1.5"), Decimal("1.5"), Decimal("2"), Decimal("2"), Decimal("2.5")]
GUESTS = ["群众代表", "入党积极分子", "村民代表", "返乡创业青年"]
MEETINGS = [
    (MeetingKind.ANALYSIS, "全区脱贫攻坚形势研判会"), (MeetingKind.PROGRESS, "乡村振兴重点工作推进会"),
    (MeetingKind.FORUM, "产业扶贫座谈会"), (MeetingKind.STUDY, "区委理论学习中心组（扩大）学习会"),
    (MeetingKind.ANALYSIS, "防止返贫监测帮扶研判会"), (MeetingKind.PROGRESS, "农村人居环境整治推进会"),
    (MeetingKind.FORUM, "驻村第一书记工作座谈会"), (MeetingKind.PROGRESS, "村集体经济发展推进会"),
    (MeetingKind.ANALYSIS, "扶贫项目资金管理研判会"), (MeetingKind.FORUM, "致富带头人座谈会"),
    (MeetingKind.STUDY, "党纪学习教育专题学习会"), (MeetingKind.PROGRESS, "年度目标任务推进会"),
]


def _spread(rng: random.Random, n: int, start: date, end: date) -> list[date]:
    days = (end - start).days + 1
    return [start + timedelta(days=rng.randrange(days)) for _ in range(n)]


def _plan(rng, weights, today) -> list[tuple[Organization, date]]:
    """(branch, date) of every session: exactly 1,034 by 3 April (each active branch at least one),
    then the same daily pace to today."""
    plan: list[tuple[Organization, date]] = []
    start, april3 = date(today.year, 1, 1), date(today.year, 4, 3)
    first_end = min(april3, today)
    pace = SESSIONS_BY_APRIL_3 / ((april3 - start).days + 1)
    target = round(pace * ((first_end - start).days + 1))
    active = list(weights)
    seeded = active[: min(len(active), target)]
    plan += [(b, d) for b, d in zip(seeded, _spread(rng, len(seeded), start, first_end), strict=True)]
    rest = rng.choices(active, weights=[weights[b] for b in active], k=target - len(seeded))
    plan += list(zip(rest, _spread(rng, len(rest), start, first_end), strict=True))
    if today > april3:
        later = round(pace * (today - april3).days)
        picks = rng.choices(active, weights=[weights[b] for b in active], k=later)
        plan += list(zip(picks, _spread(rng, later, april3 + timedelta(days=1), today), strict=True))
    return plan


@transaction.atomic
def build_activities_demo(*, seed: int = 2018, district_name: str = "召陵区", today: date | None = None) -> dict:
    """Generate the demo district's sessions and meetings; returns what was made. Idempotent only in
    the sense that it refuses to run twice (it is meant for a fresh demo database)."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    district = Organization.objects.get(name=district_name, kind="district")
    if BranchSession.objects.filter(branch__path__startswith=district.path).exists():
        return {"sessions": 0, "credits": 0, "meetings": 0, "skipped": True}
    branches = list(Organization.objects.filter(path__startswith=district.path, kind="branch",
                                                archived_at__isnull=True).order_by("path"))
    members: dict[int, list[Person]] = defaultdict(list)
    for m in (Membership.objects.filter(org__in=branches, person__archived_at__isnull=True)
              .select_related("person__primary_org").order_by("person_id")):
        members[m.org_id].append(m.person)
    shuffled = branches[:]
    rng.shuffle(shuffled)
    active = shuffled[: round(len(branches) * ACTIVE_SHARE)]
    weights = {b: rng.choice((1, 1, 2, 2, 3, 4)) for b in active}

    sessions, attendees, seen = [], [], set()
    for branch, day in sorted(_plan(rng, weights, today), key=lambda x: (x[1], x[0].path)):
        topic = rng.choice(TOPICS)
        while (branch.pk, day, topic) in seen:  # one session per branch, day and topic (the duplicate rule)
            topic = rng.choice(TOPICS)
        seen.add((branch.pk, day, topic))
        people = members.get(branch.pk, [])
        present = [p for p in people if rng.random() < 0.88] or people[:1]
        guests = rng.sample(GUESTS, rng.choice((0, 0, 0, 1, 2))) if people else rng.sample(GUESTS, 2)
        sessions.append(BranchSession(
            branch=branch, held_on=day, topic=topic, topic_key=topic_key(topic), courseware=rng.choice(COURSEWARE),
            hours=rng.choice(HOURS), place=rng.choice(PLACES), guest_names=guests, attendee_count=len(present)))
        attendees.append(present)
    BranchSession.objects.bulk_create(sessions, batch_size=1000)
    if sessions and sessions[0].pk is None:
        raise RuntimeError("the database backend must return ids from bulk_create (PostgreSQL, SQLite ≥ 3.35)")

    requests, pairs = [], []
    for session, present in zip(sessions, attendees, strict=True):
        title = f"远程教育：{session.topic}"
        for person in present:
            requests.append({"person": person, "hours": session.hours, "form": TrainingForm.BRANCH,
                             "occurred_on": session.held_on, "title": title, "source_type": "activities.session",
                             "source_id": session.pk,
                             "idempotency_key": f"branch-session:{session.pk}:{person.pk}:v1"})
            pairs.append((session, person))
    entries = credit_all(requests)
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=s, person=p, ledger_entry=e) for (s, p), e in zip(pairs, entries, strict=True)],
        batch_size=2000)
    credits = len(entries)
    meetings, meeting_credits = _meetings(rng, district, today)
    _analyze()
    by_april = sum(1 for s in sessions if s.held_on <= date(today.year, 4, 3))
    return {"sessions": len(sessions), "sessions_by_april_3": by_april, "credits": credits + meeting_credits,
            "meetings": meetings, "active_branches": len(active), "branches": len(branches)}


def _meetings(rng, district: Organization, today: date) -> tuple[int, int]:
    """Meetings of the top leaders (党政一把手) through the year so far: each gathers some of them."""
    organizer = (Organization.objects.filter(path__startswith=district.path, name="区委组织部").first() or district)
    leaders = list(Person.objects.filter(
        archived_at__isnull=True, pk__in=PersonCategory.objects.filter(
            year=today.year, category__code="top_leader").values("person_id"))
        .select_related("primary_org").order_by("id"))
    if not leaders:
        return 0, 0
    start = date(today.year, 1, 1)
    span = max(1, (today - start).days)
    made = credits = 0
    for i, (kind, subject) in enumerate(MEETINGS[:MEETING_COUNT]):
        day = start + timedelta(days=min(span, round(span * (i + 0.5) / MEETING_COUNT)))
        present = rng.sample(leaders, min(len(leaders), rng.randint(22, 32)))
        meeting = Meeting.objects.create(held_on=day, kind=kind, subject=subject, organizer=organizer,
                                         hours=Decimal("2") if kind != MeetingKind.STUDY else Decimal("3"),
                                         place="区委第一会议室", attendee_count=len(present))
        entries = credit_all([
            {"person": p, "hours": meeting.hours, "form": TrainingForm.MEETING, "occurred_on": day,
             "idempotency_key": f"meeting:{meeting.pk}:{p.pk}:v1", "title": f"以会代训：{subject}",
             "source_type": "activities.meeting", "source_id": meeting.pk} for p in present])
        MeetingAttendance.objects.bulk_create(
            [MeetingAttendance(meeting=meeting, person=p, ledger_entry=e) for p, e in zip(present, entries, strict=True)])
        made += 1
        credits += len(entries)
    return made, credits


def _analyze() -> None:
    """PostgreSQL plans the district view with nested loops over thousands of rows until the freshly
    bulk-inserted tables have statistics (2 s instead of 10 ms); give it them now, not at autovacuum's pace."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (BranchSession, SessionAttendance, Meeting, MeetingAttendance, LedgerEntry, Membership):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def credit_all(requests: list[dict]) -> list:
    """Ledger entries for many credits, in order, through the ledger's batch service ``credit_many``
    (one multi-row INSERT per 1,000 credits, rollups and audit included)."""
    items = [
        ledger_services.CreditItem(
            person_id=r["person"].pk, hours=Decimal(str(r["hours"])), form=r["form"], occurred_on=r["occurred_on"],
            idempotency_key=r["idempotency_key"], title=r.get("title", ""), source_type=r.get("source_type", ""),
            source_id=str(r.get("source_id", "")),
        )
        for r in requests
    ]
    ledger_services.credit_many(items)
    keys = [item.idempotency_key for item in items]
    by_key = {}
    for start in range(0, len(keys), 1000):
        by_key.update(LedgerEntry.objects.in_bulk(keys[start : start + 1000], field_name="idempotency_key"))
    return [by_key[key] for key in keys]