"""Demo training year of the demo district (召陵区): the annual plan (2,000 person-times in three tiers),
a lecturer pool, and ten classes across the year — seven finished (nomination → confirm → approve,
attendance, leave, reflections, completion credited to the ledger, certificates), one running today
(the ``head`` account can project today's sign-in code, ``trainee`` is enrolled), one open for
nomination with quotas for 老窝镇 and 万金镇, and one still in preparation.

Every rule-bearing write goes through ``jingpei.classes.services`` (plan, lecturers, classes, quotas,
sessions, nomination, confirmation, approval, leave, reflections, completion — hence the ledger
credits go through ``ledger.services.credit_hours`` inside ``complete_class``). Only the attendance
of past sessions is bulk-inserted (thousands of rows; the sign-in service would add one audit row
each), and timestamps are moved back to when things would have happened. Certificate PDFs are left to
the background job (and the download view renders any still missing), as for large classes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jingpei.accounts.models import User
from jingpei.classes import services
from jingpei.classes.models import (
    AnnualPlan,
    Attendance,
    Certificate,
    ClassForm,
    Enrolment,
    LeaveRequest,
    Lecturer,
    Reflection,
    Session,
    Tier,
    TrainingClass,
)
from jingpei.core import audit
from jingpei.orgs.models import Category, Organization, Person

S = Enrolment.Status
PLAN_TARGET = 2000
TOPICS = ["乡村振兴", "扶贫产业", "壮大村集体经济", "干部能力提升"]
TIER_TARGETS = [(Tier.SPECIAL, 400), (Tier.KEY, 600), (Tier.REGULAR, 1000)]

# (name, title, affiliation, subjects); the first two are replaced by demo people of the district.
EXPERTS = [
    ("郑国强", "教授", "河南农业大学经济管理学院", "乡村振兴战略、农村集体经济"),
    ("孙丽娟", "副教授", "中共漯河市委党校", "基层党建、干部能力提升"),
    ("韩建华", "高级农艺师", "漯河市农业科学院", "小麦绿色种植、扶贫产业"),
    ("邓秀梅", "研究员", "河南省社会科学院农村发展研究所", "产业扶贫、防止返贫监测"),
    ("冯志刚", "主任", "西峡县香菇产业发展中心", "特色产业、致富带头人培育"),
]

REFLECTIONS = [
    "通过这次{title}的学习，我对{topic}有了更系统的认识。回村后要结合本村实际，把学到的经验用在发展产业、"
    "服务群众上，带领班子成员一起干。",
    "这次培训时间紧、内容实，专家讲解深入浅出，现场教学让人印象深刻。{topic}不能等靠要，要找准路子、"
    "用好政策，我已和村两委商量了下一步的打算。",
    "参加{title}，最大的收获是开阔了眼界、理清了思路。今后要把{topic}作为头等大事，抓好班子、带好队伍，"
    "让群众得到实实在在的好处。",
]
LEAVE_REASONS = ["村里防汛值班", "家中老人住院", "参加镇里紧急会议", "本人身体不适", "接待上级检查"]


@dataclass
class Spec:
    """One demo class: what it is, when it runs, who it is for."""

    key: str
    title: str
    tier: str
    topics: str
    days: int
    capacity: int
    place: str
    form: str = ClassForm.CLASS
    itinerary: str = ""
    full_time: bool = True
    reflection: bool = False
    quotas: dict[str, int] = field(default_factory=dict)  # township name → seats; empty = open to all
    audience: tuple[str, ...] = ()  # township names (a class without quotas)
    positions: tuple[str, ...] = ()  # preferred positions of the nominees
    subjects: tuple[str, ...] = ()


FINISHED = [
    Spec("f1", "全区村党组织书记乡村振兴专题培训班", Tier.SPECIAL, "乡村振兴", 3, 64, "区委党校", reflection=True,
         quotas=dict.fromkeys(("召陵镇", "老窝镇", "万金镇", "姬石镇", "青年镇", "邓襄镇", "翟庄街道", "天桥街道"), 8),
         positions=("村党支部书记",),
         subjects=("乡村振兴战略总要求解读", "抓党建促乡村振兴", "村级组织规范化建设", "乡村治理典型案例",
                   "现场教学：东大街村党建引领", "分组研讨与交流")),
    Spec("f2", "驻村第一书记能力提升培训班", Tier.KEY, "干部能力提升、扶贫产业", 2, 48, "区委党校",
         quotas=dict.fromkeys(("召陵镇", "老窝镇", "万金镇", "姬石镇", "青年镇", "邓襄镇"), 8),
         positions=("驻村第一书记", "村委委员"),
         subjects=("驻村帮扶政策解读", "防止返贫动态监测", "群众工作方法", "驻村工作经验交流")),
    Spec("f3", "壮大村集体经济专题培训班", Tier.REGULAR, "壮大村集体经济", 2, 60, "区委党校",
         quotas=dict.fromkeys(("召陵镇", "老窝镇", "万金镇", "姬石镇", "青年镇", "邓襄镇"), 10),
         positions=("村委会主任", "村文书", "村党支部书记"),
         subjects=("村集体经济发展路径", "农村集体产权制度改革", "村级财务管理", "典型村经验分享")),
    Spec("f4", "赴陕西梁家河、袁家村交流考察学习班", Tier.KEY, "乡村振兴、壮大村集体经济", 4, 36, "陕西省延安市、咸阳市",
         form=ClassForm.STUDY_TOUR, itinerary="", positions=("村党支部书记", "局长", "副局长"),
         subjects=("梁家河村史馆现场教学", "梁家河知青旧居与淤地坝", "袁家村乡村旅游发展考察",
                   "袁家村集体经济座谈交流", "考察总结与研讨")),
    Spec("f5", "移动讲堂·扶贫产业政策进村巡讲", Tier.REGULAR, "扶贫产业", 3, 90, "姬石镇、青年镇各行政村",
         form=ClassForm.MOBILE_LECTURE, full_time=False, audience=("姬石镇", "青年镇"),
         positions=("致富带头人", "村民", "村委委员"),
         subjects=("扶贫小额信贷政策", "特色种植技术", "农村电商实务")),
    Spec("f6", "致富带头人扶贫产业培训班", Tier.REGULAR, "扶贫产业", 3, 60, "区农业农村局培训中心",
         quotas=dict.fromkeys(("召陵镇", "老窝镇", "万金镇", "姬石镇", "青年镇", "邓襄镇"), 10),
         positions=("致富带头人", "村民"),
         subjects=("特色产业选择与市场分析", "合作社规范运营", "农产品品牌与电商", "带贫益贫机制", "产业基地现场教学",
                   "金融支持政策")),
    Spec("f7", "年轻干部能力提升培训班", Tier.KEY, "干部能力提升", 3, 50, "区委党校", reflection=True,
         quotas=dict.fromkeys(("召陵镇", "老窝镇", "万金镇", "姬石镇", "青年镇", "翟庄街道", "天桥街道"), 7),
         positions=("村文书", "村委委员", "科员"),
         subjects=("新时代好干部标准", "公文写作与调查研究", "群众工作与舆情应对", "依法行政", "情景模拟与研讨")),
]
RUNNING = Spec("r1", "乡镇干部乡村振兴能力提升轮训班", Tier.KEY, "乡村振兴、干部能力提升", 5, 48, "区委党校",
               reflection=True, quotas=dict.fromkeys(("召陵镇", "老窝镇", "万金镇", "姬石镇", "青年镇", "邓襄镇"), 8),
               positions=("村党支部书记", "村委会主任", "驻村第一书记"),
               subjects=("乡村振兴形势与任务", "壮大村集体经济", "基层治理能力", "产业振兴案例", "人居环境整治",
                         "党性教育", "乡村规划解读", "分组研讨", "现场教学", "结业测试"))
UPCOMING = Spec("u1", "村党组织书记壮大村集体经济专题培训班", Tier.SPECIAL, "壮大村集体经济", 3, 60, "区委党校",
                reflection=True, quotas={"老窝镇": 10, "万金镇": 10, "召陵镇": 8, "姬石镇": 8, "青年镇": 8,
                                         "邓襄镇": 8, "翟庄街道": 4, "天桥街道": 4},
                positions=("村党支部书记",),
                subjects=("村集体经济政策解读", "资源发包与资产盘活", "村企合作模式", "集体经济收益分配",
                          "典型村现场教学", "研讨交流"))
DRAFT = Spec("d1", "扶贫干部业务能力培训班（筹备）", Tier.REGULAR, "扶贫产业、干部能力提升", 2, 60, "区委党校",
             positions=("驻村第一书记",), subjects=("扶贫政策与业务规范", "扶贫资金项目管理"))
# Planned for next month and called off (取消): nominations had begun; each nominee and liaison is told why.
CANCELLED = Spec("x1", "赴兰考焦裕禄干部学院党性教育交流考察学习班", Tier.KEY, "党性教育、干部能力提升", 4, 30,
                 "河南省兰考县", form=ClassForm.STUDY_TOUR, quotas=dict.fromkeys(("老窝镇", "万金镇", "召陵镇"), 4),
                 positions=("村党支部书记", "驻村第一书记"),
                 subjects=("焦裕禄纪念园现场教学", "张庄村脱贫攻坚经验", "兰考县乡村振兴座谈", "考察总结与研讨"))
CANCEL_REASON = "受雨雪冰冻天气影响，经区委组织部研究，本期考察学习班取消，明年春季另行安排。"
ITINERARY = ("{d0} 漯河—延安 乘车赴梁家河，途中学习党史资料\n"
             "{d1} 梁家河 村史馆、知青旧居、淤地坝、沼气池现场教学\n"
             "{d2} 袁家村 乡村旅游与村集体经济发展考察、座谈交流\n"
             "{d3} 袁家村—漯河 返程，撰写考察报告")
SLOTS = [(time(9, 0), time(12, 0), Decimal("3")), (time(14, 30), time(17, 30), Decimal("3"))]


class _Builder:
    def __init__(self, rng: random.Random, district: Organization, today: date, now: datetime):
        self.rng, self.district, self.today, self.now = rng, district, today, now
        self.year = today.year
        users = {u.username: u for u in User.objects.filter(
            username__in=["officer", "liaison_laowo", "liaison_wanjin", "head", "lecturer", "trainee"])}
        self.officer, self.head = users.get("officer"), users.get("head")
        self.lecturer_user, self.trainee = users.get("lecturer"), users.get("trainee")
        self.by_town_name = {o.name: o for o in Organization.objects.filter(
            path__startswith=district.path, depth=district.depth + 1)}
        self.liaisons = {"老窝镇": users.get("liaison_laowo"), "万金镇": users.get("liaison_wanjin")}
        self.user_of = dict(User.objects.filter(person__isnull=False).values_list("person_id", "pk"))
        self.users = {u.pk: u for u in User.objects.filter(pk__in=self.user_of.values())}
        self.people = list(Person.objects.filter(primary_org__path__startswith=district.path, archived_at__isnull=True)
                           .select_related("primary_org").order_by("id"))
        self.town = {p.pk: self._town_of(p) for p in self.people}
        self.used: dict[int, int] = {}
        self.made: dict[str, TrainingClass] = {}
        self.counts = {"sessions": 0, "enrolments": 0, "attendances": 0, "leaves": 0, "reflections": 0}

    # --- people -----------------------------------------------------------------------------------
    def _town_of(self, person: Person) -> str:
        prefix = person.primary_org.path[: len(self.district.path) + Organization.steplen]
        return next((name for name, o in self.by_town_name.items() if o.path == prefix), "")

    def pick(self, town: str | None, n: int, positions: tuple[str, ...], exclude: set[int]) -> list[Person]:
        """``n`` people of ``town`` (any township when None), preferring the positions and those who have
        been in fewest classes so far."""
        pool = [p for p in self.people if p.pk not in exclude
                and (self.town[p.pk] == town if town is not None else True)
                and (town is None or p.primary_org.kind != "unit")]
        self.rng.shuffle(pool)
        pool.sort(key=lambda p: (p.position not in positions, self.used.get(p.pk, 0)))
        chosen = pool[:n]
        for p in chosen:
            self.used[p.pk] = self.used.get(p.pk, 0) + 1
        return chosen

    def user(self, person: Person):
        pk = self.user_of.get(person.pk)
        return self.users.get(pk) if pk else None

    # --- plan and lecturers -------------------------------------------------------------------------
    def plan(self) -> AnnualPlan:
        plan = services.create_plan(
            actor=self.officer, org=self.district, year=self.year, title=f"{self.district.name}{self.year}年度干部教育培训计划",
            total_target=PLAN_TARGET, topics="、".join(TOPICS),
            budget_note="区级财政干部教育培训经费 80 万元；扶贫资金中的培训经费 30 万元（交流考察、移动讲堂）。")
        for tier, target in TIER_TARGETS:
            services.set_plan_target(actor=self.officer, plan=plan, tier=tier, target=target)
        secretaries = Category.objects.filter(code="village_secretary").first()
        if secretaries:
            services.set_plan_target(actor=self.officer, plan=plan, category=secretaries, target=400)
        services.set_plan_target(actor=self.officer, plan=plan, form=ClassForm.STUDY_TOUR, target=80)
        services.set_plan_target(actor=self.officer, plan=plan, form=ClassForm.MOBILE_LECTURE, target=300)
        return plan

    def lecturers(self) -> list[Lecturer]:
        pool = []
        own = [u for u in (self.lecturer_user,) if u is not None and u.person_id]
        for u in own:
            lecturer = services.create_lecturer(
                actor=self.officer, owner_org=self.district, name=u.person.name, title=u.person.position or "讲师",
                affiliation=u.person.primary_org.name, subjects="乡村振兴政策、壮大村集体经济")
            Lecturer.objects.filter(pk=lecturer.pk).update(user=u)
            pool.append(lecturer)
        # District cadres who teach as well (demo people without an account of their own).
        for person in [p for p in self.people if p.primary_org.kind == "unit" and p.position == "局长"][:2]:
            pool.append(services.create_lecturer(
                actor=self.officer, owner_org=self.district, name=person.name, title=person.position,
                affiliation=person.primary_org.name, subjects="扶贫产业政策、干部能力提升"))
        for name, title, affiliation, subjects in EXPERTS:
            pool.append(services.create_lecturer(actor=self.officer, owner_org=self.district, name=name, title=title,
                                                 affiliation=affiliation, subjects=subjects))
        return pool

    # --- classes ------------------------------------------------------------------------------------
    def create(self, spec: Spec, start: date, plan: AnnualPlan) -> TrainingClass:
        end = start + timedelta(days=spec.days - 1)
        itinerary = ""
        if spec.form == ClassForm.STUDY_TOUR:
            itinerary = ITINERARY.format(**{f"d{i}": start + timedelta(days=i) for i in range(4)})
        elif spec.form == ClassForm.MOBILE_LECTURE:
            itinerary = "\n".join(f"{start + timedelta(days=i)} {stop}村党群服务中心 {subject}" for i, (stop, subject) in
                                  enumerate(zip(("姬石镇前营", "青年镇后楼", "姬石镇大岗"), spec.subjects, strict=False)))
        audience = [self.by_town_name[t] for t in spec.audience if t in self.by_town_name]
        klass = services.create_class(
            actor=self.officer, organizer=self.district, title=spec.title, start_date=start, end_date=end,
            capacity=spec.capacity, tier=spec.tier, form=spec.form, topics=spec.topics, place=spec.place,
            itinerary=itinerary, head=self.head, plan=plan if start.year == plan.year else None,
            full_time=spec.full_time, require_reflection=spec.reflection, audience_orgs=audience)
        for town, seats in spec.quotas.items():
            if town in self.by_town_name:
                services.set_quota(actor=self.officer, klass=klass, org=self.by_town_name[town], seats=seats)
        self.made[spec.key] = klass
        return klass

    def sessions(self, klass: TrainingClass, spec: Spec, lecturers: list[Lecturer], *, keep=lambda s, e: True):
        made = []
        subjects = list(spec.subjects)
        i = 0
        for day in range(spec.days):
            local_day = klass.start_date + timedelta(days=day)
            slots = SLOTS if spec.form != ClassForm.MOBILE_LECTURE else SLOTS[:1]
            for begin, end, hours in slots:
                starts = timezone.make_aware(datetime.combine(local_day, begin))
                ends = timezone.make_aware(datetime.combine(local_day, end))
                if not keep(starts, ends):
                    continue
                lecturer = lecturers[i % len(lecturers)]
                made.append(services.add_session(
                    actor=self.head, klass=klass, starts_at=starts, ends_at=ends, subject=subjects[i % len(subjects)],
                    hours=hours, lecturer=lecturer, place=klass.place if spec.form == ClassForm.CLASS else ""))
                i += 1
        self.counts["sessions"] += len(made)
        return made

    def actor_for(self, town: str):
        return self.liaisons.get(town) or self.officer

    def enrol(self, klass: TrainingClass, spec: Spec, *, must: tuple[Person, ...] = (), fill: float = 1.0,
              settle: bool = True) -> list[Enrolment]:
        """Liaisons nominate (one more than each quota: the last waits), nominees confirm or now and
        then decline (the waiting list moves up), the head approves. Returns the approved ones."""
        must = tuple(p for p in must if p is not None)
        exclude = {p.pk for p in must}
        if spec.quotas:
            groups = [(town, self.pick(town, round(seats * fill) + (1 if settle else 0), spec.positions, exclude))
                      for town, seats in spec.quotas.items()]
        elif spec.audience:
            share = round(spec.capacity * fill / len(spec.audience))
            groups = [(town, self.pick(town, share, spec.positions, exclude)) for town in spec.audience]
        else:
            groups = [(None, self.pick(None, round(spec.capacity * fill), spec.positions, exclude))]
        for person in must:
            town = self.town.get(person.pk) or self._town_of(person)
            groups.insert(0, (town, [person]))
        for town, people in groups:
            actor = self.actor_for(town) if town else self.officer
            for person in people:
                services.nominate(actor=actor, klass=klass, person=person)
                self.counts["enrolments"] += 1
        if not settle:
            return []
        must_ids = {p.pk for p in must}
        for round_no in range(4):
            pending = list(klass.enrolments.filter(status=S.NOMINATED).select_related("person", "klass"))
            if not pending:
                break
            for e in pending:
                decline = round_no == 0 and e.person_id not in must_ids and self.rng.random() < 0.05
                services.respond(actor=self.user(e.person), enrolment=e, accept=not decline)
            for e in klass.enrolments.filter(status=S.CONFIRMED).select_related("klass"):
                reject = round_no == 0 and e.person_id not in must_ids and self.rng.random() < 0.02
                services.decide(actor=self.head, enrolment=e, approve=not reject)
        return list(klass.enrolments.filter(status=S.APPROVED).select_related("person", "klass", "org").order_by("id"))

    def attend(self, klass: TrainingClass, sessions: list[Session], approved: list[Enrolment], *,
               keep: set[int] = frozenset(), until: datetime | None = None) -> None:
        """Attendance of the sessions already held, with the usual pattern: most attend everything,
        some miss a session with leave, a few miss too much to complete, and now and then someone is
        withdrawn after asking leave for the whole class (full-time classes)."""
        held = [s for s in sessions if until is None or s.ends_at <= until]
        rows = []
        method = {ClassForm.CLASS: Attendance.Method.SCAN, ClassForm.STUDY_TOUR: Attendance.Method.MANUAL,
                  ClassForm.MOBILE_LECTURE: Attendance.Method.SHEET}[klass.form]
        withdrawn = False
        for e in approved:
            roll = self.rng.random() if e.person_id not in keep else 1.0
            missed: set[int] = set()
            if klass.full_time and not withdrawn and roll < 0.03 and until is None:
                leave = services.request_leave(actor=None, enrolment=e, reason=self.rng.choice(LEAVE_REASONS))
                services.decide_leave(actor=self.head, leave=leave, approve=True, confirm_withdrawal=True)
                self.counts["leaves"] += 1
                withdrawn = True
                continue
            if roll < 0.06 and len(held) > 2:
                missed = {s.pk for s in self.rng.sample(held, 2)}  # too much to complete
            elif roll < 0.16 and held:
                session = self.rng.choice(held)
                missed = {session.pk}
                # Under the 1/7 rule a short full-time class leaves no room for leave: the session is missed.
                if not services.leave_outlook(e, session.hours).would_withdraw:
                    leave = services.request_leave(actor=None, enrolment=e, session=session,
                                                   reason=self.rng.choice(LEAVE_REASONS))
                    services.decide_leave(actor=self.head, leave=leave, approve=True)
                    self.counts["leaves"] += 1
            for s in held:
                if s.pk in missed:
                    continue
                late = self.rng.random() < 0.05
                offset = timedelta(minutes=self.rng.randint(11, 25) if late else -self.rng.randint(1, 20))
                rows.append(Attendance(session=s, enrolment=e, method=method, signed_at=s.starts_at + offset,
                                       status=Attendance.Status.LATE if late else Attendance.Status.PRESENT,
                                       recorded_by=self.head if method != Attendance.Method.SCAN else None))
        Attendance.objects.bulk_create(rows, batch_size=1000)
        self.counts["attendances"] += len(rows)

    def reflect(self, klass: TrainingClass, approved: list[Enrolment], *, best: set[int] = frozenset(),
                review: bool = True) -> None:
        """Trainees hand in their 心得; the head accepts them, marks a few best, returns one."""
        topic = klass.topics.split("、")[0]
        returned = False
        for n, e in enumerate(approved):
            if e.status != S.APPROVED or (self.rng.random() < 0.04 and e.person_id not in best):
                continue
            text = self.rng.choice(REFLECTIONS).format(title=klass.title, topic=topic)
            reflection = services.submit_reflection(actor=None, enrolment=e, text=text)
            self.counts["reflections"] += 1
            if not review:
                continue
            if not returned and n > 5 and e.person_id not in best and self.rng.random() < 0.1:
                services.review_reflection(actor=self.head, reflection=reflection, action="return",
                                           comment="内容较空泛，请结合本村实际补充具体打算。")
                returned = True
            elif e.person_id in best or self.rng.random() < 0.06:
                services.review_reflection(actor=self.head, reflection=reflection, action="best",
                                           comment="联系实际，思路清晰，推荐为优秀心得。")
            else:
                services.review_reflection(actor=self.head, reflection=reflection, action="accept")

    def backdate(self, klass: TrainingClass, *, completed: bool) -> None:
        """Put the records' timestamps where they would be: nominations three weeks before the class,
        decisions a week before, reflections and certificates at its end."""
        start = timezone.make_aware(datetime.combine(klass.start_date, time(9, 0)))
        end = timezone.make_aware(datetime.combine(klass.end_date, time(17, 30)))
        if start > self.now:
            return
        TrainingClass.objects.filter(pk=klass.pk).update(created_at=start - timedelta(days=30))
        Enrolment.objects.filter(klass=klass).update(nominated_at=start - timedelta(days=21),
                                                     decided_at=start - timedelta(days=7))
        Enrolment.objects.filter(klass=klass, status=S.WAITLISTED).update(waitlisted_at=start - timedelta(days=21))
        leaves = LeaveRequest.objects.filter(enrolment__klass=klass)
        leaves.filter(status=LeaveRequest.Status.PENDING).update(created_at=min(self.now, start + timedelta(days=1)))
        leaves.exclude(status=LeaveRequest.Status.PENDING).update(created_at=start - timedelta(days=1),
                                                                   decided_at=start - timedelta(hours=20))
        if completed:
            Reflection.objects.filter(enrolment__klass=klass).update(submitted_at=end - timedelta(hours=3))
            Certificate.objects.filter(klass=klass).update(issued_at=end)
            TrainingClass.objects.filter(pk=klass.pk).update(completed_at=end)
        else:
            Reflection.objects.filter(enrolment__klass=klass).update(submitted_at=self.now - timedelta(hours=2))

    # --- the year -----------------------------------------------------------------------------------
    def finished(self, plan, lecturers) -> None:
        last = self.today - timedelta(days=6)
        first = date(self.year, 3, 1) if last - date(self.year, 3, 1) > timedelta(days=90) else last - timedelta(days=150)
        span = (last - first).days
        specs = FINISHED
        for i, spec in enumerate(specs):
            start = first + timedelta(days=round(span * i / (len(specs) - 1)) - (spec.days - 1) * (i == len(specs) - 1))
            while start.weekday() >= 5:  # classes open on a weekday
                start -= timedelta(days=1)
            klass = self.create(spec, start, plan)
            teachers = lecturers if spec.key in ("f1", "f3", "f6") else lecturers[1:]
            sessions = self.sessions(klass, spec, teachers)
            must = (self.trainee.person,) if self.trainee and self.trainee.person_id and spec.key in ("f1", "f3") else ()
            approved = self.enrol(klass, spec, must=must)
            keep = {p.pk for p in must}
            self.attend(klass, sessions, approved, keep=keep)
            if spec.reflection:
                approved = list(klass.enrolments.filter(status=S.APPROVED).select_related("person", "klass", "org"))
                self.reflect(klass, approved, best=keep)
            services.complete_class(actor=self.head, klass=klass, today=self.today, inline_pdfs=False)
            self.backdate(klass, completed=True)

    def running(self, plan, lecturers) -> TrainingClass:
        spec = RUNNING
        start = self.today - timedelta(days=2)
        klass = self.create(spec, start, plan)
        # A session is going on now whatever the hour the demo is built, so the projector shows a code:
        # if no slot of today's timetable is open for sign-in now, one is added around now instead.
        slots = [(timezone.make_aware(datetime.combine(self.today, a)), timezone.make_aware(datetime.combine(self.today, z)))
                 for a, z, _h in SLOTS]
        extra = None
        if not any(a - services.SELF_SIGN_IN_OPENS <= self.now <= z for a, z in slots):
            begin = self.now.replace(minute=self.now.minute // 10 * 10, second=0, microsecond=0) - timedelta(minutes=30)
            extra = (begin, begin + timedelta(hours=2, minutes=30))
        sessions = self.sessions(klass, spec, lecturers,
                                 keep=lambda a, z: extra is None or not (a < extra[1] and z > extra[0]))
        if extra:
            sessions.append(services.add_session(
                actor=self.head, klass=klass, starts_at=extra[0], ends_at=extra[1], hours=Decimal("2.5"),
                subject="专题研讨：乡村振兴中的基层治理", lecturer=lecturers[0], place=klass.place))
            self.counts["sessions"] += 1
        current = next(s for s in sessions if s.starts_at - services.SELF_SIGN_IN_OPENS <= self.now <= s.ends_at)
        if current.lecturer_id != lecturers[0].pk:
            Session.objects.filter(pk=current.pk).update(lecturer=lecturers[0])
        trainee = self.trainee.person if self.trainee and self.trainee.person_id else None
        approved = self.enrol(klass, spec, must=(trainee,) if trainee else ())
        keep = {trainee.pk} if trainee else set()
        self.attend(klass, sessions, approved, keep=keep, until=self.now)
        # The current session fills up as people scan in (the trainee has yet to).
        present = [e for e in approved if e.person_id not in keep][: len(approved) * 2 // 3]
        for e in present:
            services.sign_in(actor=self.user(e.person), session=current, enrolment=e,
                             at=min(self.now, current.starts_at + timedelta(minutes=self.rng.randint(-15, 8))))
        self.counts["attendances"] += len(present)
        later = [s for s in sessions if s.starts_at > self.now]
        for e in [e for e in approved if e.person_id not in keep][-2:]:
            if later:
                services.request_leave(actor=None, enrolment=e, session=self.rng.choice(later),
                                       reason=self.rng.choice(LEAVE_REASONS))
                self.counts["leaves"] += 1
        self.reflect(klass, [e for e in approved if e.person_id not in keep][:4], review=False)
        self.backdate(klass, completed=False)
        return klass

    def upcoming(self, plan, lecturers) -> TrainingClass:
        spec = UPCOMING
        klass = self.create(spec, self.today + timedelta(days=14), plan)
        self.sessions(klass, spec, lecturers)
        # Nominations have begun: a few per township, 老窝镇 has seats left for its liaison.
        small = Spec(**{**spec.__dict__, "quotas": {t: 3 for t in spec.quotas if t != "老窝镇"} | {"老窝镇": 2}})
        self.enrol(klass, small, settle=False)
        nominated = list(klass.enrolments.filter(status=S.NOMINATED).select_related("person", "klass"))
        for e in nominated[: len(nominated) // 2]:
            services.respond(actor=self.user(e.person), enrolment=e, accept=True)
        for e in list(klass.enrolments.filter(status=S.CONFIRMED).select_related("klass"))[::2]:
            services.decide(actor=self.head, enrolment=e, approve=True)
        return klass

    def cancelled(self, plan, lecturers) -> TrainingClass:
        spec = CANCELLED
        klass = self.create(spec, self.today + timedelta(days=24), plan)
        self.sessions(klass, spec, lecturers)
        self.enrol(klass, Spec(**{**spec.__dict__, "quotas": dict.fromkeys(spec.quotas, 2)}), settle=False)
        services.cancel_class(actor=self.officer, klass=klass, reason=CANCEL_REASON)
        return klass

    def draft(self, plan, lecturers) -> TrainingClass:
        spec = DRAFT
        klass = self.create(spec, self.today + timedelta(days=40), plan)
        TrainingClass.objects.filter(pk=klass.pk).update(status=TrainingClass.Status.DRAFT)
        self.sessions(klass, spec, lecturers[2:])
        return klass


def describe(result: dict) -> str:
    """One line for the demo builder's log."""
    if result.get("skipped"):
        return "培训班演示数据已存在，跳过。"
    return (f"培训班 {result['classes']} 个（已结业 {result['finished']} 个），师资 {result['lecturers']} 人；"
            f"年度计划完成 {result['person_times']}/{PLAN_TARGET} 人次；结业 {result['completed']} 人次，"
            f"证书 {result['certificates']} 份。")


@transaction.atomic
def build_classes_demo(*, seed: int = 2018, district_name: str = "召陵区", today: date | None = None) -> dict:
    """The demo district's training year (see the module docstring); refuses to run twice."""
    rng = random.Random(seed)
    real_today = timezone.localdate()
    today = today or real_today
    now = timezone.now() if today == real_today else timezone.make_aware(datetime.combine(today, time(10, 0)))
    district = Organization.objects.get(name=district_name, kind="district")
    if AnnualPlan.objects.filter(org=district, year=today.year).exists():
        return {"skipped": True}
    b = _Builder(rng, district, today, now)
    plan = b.plan()
    lecturers = b.lecturers()
    b.finished(plan, lecturers)
    running = b.running(plan, lecturers)
    upcoming = b.upcoming(plan, lecturers)
    b.cancelled(plan, lecturers)
    b.draft(plan, lecturers)
    audit.record("demo.classes", plan, actor=None, after={"seed": seed, **b.counts}, org_path=district.path)
    classes = TrainingClass.objects.filter(organizer=district)
    completed = Enrolment.objects.filter(klass__in=classes, completed=True)
    return {
        "plan_id": plan.pk, "classes": classes.count(), "lecturers": len(lecturers),
        "finished": classes.filter(status=TrainingClass.Status.COMPLETED).count(),
        "running_id": running.pk, "upcoming_id": upcoming.pk,
        "person_times": Enrolment.objects.filter(klass__plan=plan, status=S.APPROVED).count(),
        "completed": completed.count(), "certificates": Certificate.objects.filter(klass__in=classes).count(),
        **b.counts,
    }
