"""Read side of branch sessions and meetings: plain data for the pages, the API and the export.

Every figure is computed from the records (sessions, attendances, memberships), in a fixed number of
queries whatever the size of the subtree: the district view of 378 branches is ~6 queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone

from jingpei.activities.models import BranchRule, BranchSession, Meeting, MeetingAttendance, SessionAttendance
from jingpei.orgs.models import Membership, Organization, Person

DEFAULT_MIN_SESSIONS = 2
DEFAULT_MIN_PARTICIPATION = Decimal("90")


def percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """From 1 January of ``asof``'s year to ``asof`` (China time); "this month" is ``asof``'s month."""

    asof: date

    @classmethod
    def parse(cls, value: str | None = None) -> Period:
        today = timezone.localdate()
        try:
            asof = date.fromisoformat(value) if value else today
        except ValueError:
            asof = today
        return cls(min(asof, today))

    @property
    def year(self) -> int:
        return self.asof.year

    @property
    def start(self) -> date:
        return date(self.asof.year, 1, 1)

    @property
    def month_start(self) -> date:
        return self.asof.replace(day=1)


@dataclass(frozen=True)
class Rule:
    min_sessions: int
    min_participation: Decimal
    org_name: str = ""


def rules_for(branches: list[Organization]) -> dict[int, Rule]:
    """The nearest rule above each branch (a rule on the branch itself counts), else the default."""
    rules = {r.org.path: r for r in BranchRule.objects.select_related("org")}
    out: dict[int, Rule] = {}
    default = Rule(DEFAULT_MIN_SESSIONS, DEFAULT_MIN_PARTICIPATION)
    step = Organization.steplen
    for b in branches:
        out[b.pk] = default
        for end in range(len(b.path), 0, -step):
            r = rules.get(b.path[:end])
            if r:
                out[b.pk] = Rule(r.min_sessions_per_month, r.min_participation, r.org.name)
                break
    return out


def member_counts(condition: Q) -> dict[int, int]:
    """Active members per branch among memberships matching ``condition`` (on ``org__…``)."""
    rows = (Membership.objects.filter(condition, person__archived_at__isnull=True).values("org_id")
            .annotate(n=Count("person_id", distinct=True)))
    return {r["org_id"]: r["n"] for r in rows}


def courses_for(branch: Organization):
    """Published academy courses offered to the branch's members (by an ancestor-or-self of it),
    newest year first: what a secretary may name as the session's courseware."""
    from jingpei.academy.models import Course, course_visible_q

    return Course.objects.filter(course_visible_q([branch.path]), published=True).order_by("-year", "title", "id")


def course_choices(branch: Organization, keep: int | None = None):
    """The form's list: this year's and last year's courses offered to the branch, and the one the
    session already names."""
    from jingpei.academy.models import Course

    recent = courses_for(branch).filter(year__gte=timezone.localdate().year - 1)
    if keep is None:
        return recent
    return Course.objects.filter(Q(pk__in=recent.values("pk")) | Q(pk=keep)).order_by("-year", "title", "id")


def members_of(branch: Organization):
    """The branch's current members (people with a membership in it), by pinyin."""
    return (Person.objects.filter(archived_at__isnull=True)
            .filter(pk__in=Membership.objects.filter(org=branch).values("person_id")).order_by("pinyin", "id"))


# --- the district view ----------------------------------------------------------------------------
@dataclass
class BranchFigures:
    branch: Organization
    members: int = 0
    months: list[int] = field(default_factory=lambda: [0] * 12)
    sessions: int = 0
    person_times: int = 0
    month_sessions: int = 0
    month_member_times: int = 0
    rule: Rule | None = None

    @property
    def month_participation(self) -> Decimal:
        return percent(self.month_member_times, self.month_sessions * self.members)

    @property
    def short_reasons(self) -> list[str]:
        from django.utils.translation import gettext as _

        reasons = []
        if self.rule is None:
            return reasons
        if self.month_sessions < self.rule.min_sessions:
            reasons.append(_("本月学习 %(n)s 次，少于 %(m)s 次") % {"n": self.month_sessions, "m": self.rule.min_sessions})
        if self.members and self.month_participation < self.rule.min_participation:
            reasons.append(_("参学率 %(p)s%%，低于 %(m)s%%") % {"p": self.month_participation,
                                                              "m": self.rule.min_participation})
        return reasons


@dataclass
class Row:
    org: Organization
    months: list[int] = field(default_factory=lambda: [0] * 12)
    sessions: int = 0
    person_times: int = 0
    branches: int = 0
    active_branches: int = 0
    idle_this_month: int = 0
    members: int = 0

    @property
    def is_branch(self) -> bool:
        return self.org.kind == "branch"


@dataclass
class DistrictSummary:
    org: Organization
    period: Period
    rows: list[Row]
    months: list[int]
    month_person_times: list[int]
    sessions: int
    person_times: int
    branches: int
    active_branches: int
    idle_branches: list[Organization]
    members: int
    reached: int
    shortfalls: list[BranchFigures]
    branch_figures: list[BranchFigures]

    @property
    def coverage(self) -> Decimal:
        return percent(self.reached, self.members)

    @property
    def branch_coverage(self) -> Decimal:
        return percent(self.active_branches, self.branches)

    @property
    def month_sessions(self) -> int:
        return self.months[self.period.asof.month - 1]


def district_summary(org: Organization, period: Period) -> DistrictSummary:
    """Sessions per child of ``org`` per month, totals, idle branches and branches short of their rule."""
    branches = list(Organization.objects.filter(path__startswith=org.path, kind="branch", archived_at__isnull=True)
                    .only("id", "path", "name", "kind", "depth").order_by("path"))
    rules = rules_for(branches)
    counts = member_counts(Q(org__path__startswith=org.path, org__kind="branch"))
    figures = {b.pk: BranchFigures(b, members=counts.get(b.pk, 0), rule=rules[b.pk]) for b in branches}
    sessions = (BranchSession.objects.live().filter(branch__path__startswith=org.path,
                                                    held_on__range=(period.start, period.asof))
                .order_by().values_list("branch_id", "held_on", "attendee_count", "guest_names"))
    months, month_pt = [0] * 12, [0] * 12
    for branch_id, held_on, attendees, guests in sessions:
        f = figures.get(branch_id)
        if f is None:  # an archived branch's history still counts in the months, not in the branch list
            continue
        pt = attendees + len(guests or ())
        f.months[held_on.month - 1] += 1
        f.sessions += 1
        f.person_times += pt
        months[held_on.month - 1] += 1
        month_pt[held_on.month - 1] += pt
        if held_on >= period.month_start:
            f.month_sessions += 1
            f.month_member_times += attendees

    children = ([org] if org.kind == "branch" else
                list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1,
                                                 archived_at__isnull=True).order_by("path")))
    # Each branch adds into the row of the child of ``org`` on its path: one pass over the branches.
    rows_by_path = {child.path: Row(child) for child in children}
    cut = org.child_cut if org.kind != "branch" else len(org.path)
    for f in figures.values():
        row = rows_by_path.get(f.branch.path[:cut])
        if row is None:
            continue
        row.months = [a + b for a, b in zip(row.months, f.months, strict=True)]
        row.sessions += f.sessions
        row.person_times += f.person_times
        row.branches += 1
        row.members += f.members
        row.active_branches += f.sessions > 0
        row.idle_this_month += f.month_sessions == 0
    rows = [r for r in rows_by_path.values() if r.branches]

    members = (Membership.objects.filter(org__path__startswith=org.path, org__kind="branch",
                                         person__archived_at__isnull=True).values("person_id").distinct().count())
    reached = (SessionAttendance.objects.filter(session__merged_into__isnull=True,
                                                session__branch__path__startswith=org.path,
                                                session__held_on__range=(period.start, period.asof))
               .values("person_id").distinct().count())
    all_figures = list(figures.values())
    return DistrictSummary(
        org=org, period=period, rows=rows, months=months, month_person_times=month_pt,
        sessions=sum(months), person_times=sum(month_pt), branches=len(branches),
        active_branches=sum(1 for f in all_figures if f.sessions),
        idle_branches=[f.branch for f in all_figures if not f.month_sessions],
        members=members, reached=min(reached, members) if members else reached,
        shortfalls=[f for f in all_figures if f.short_reasons], branch_figures=all_figures,
    )


# --- the branch page ------------------------------------------------------------------------------
@dataclass
class MemberAttendance:
    person: Person
    times: int
    last: date | None


@dataclass
class BranchSummary:
    branch: Organization
    period: Period
    figures: BranchFigures
    members: list[MemberAttendance]

    @property
    def never_reached(self) -> list[MemberAttendance]:
        return [m for m in self.members if not m.times]

    @property
    def reached(self) -> int:
        return sum(1 for m in self.members if m.times)

    @property
    def coverage(self) -> Decimal:
        return percent(self.reached, len(self.members))


def branch_summary(branch: Organization, period: Period) -> BranchSummary:
    summary = district_summary(branch, period)
    figures = summary.branch_figures[0] if summary.branch_figures else BranchFigures(branch)
    attended = {r["person_id"]: r for r in SessionAttendance.objects.filter(
        session__branch=branch, session__merged_into__isnull=True,
        session__held_on__range=(period.start, period.asof)).values("person_id")
        .annotate(n=Count("id"), last=Max("session__held_on"))}
    members = [MemberAttendance(p, attended.get(p.pk, {}).get("n", 0), attended.get(p.pk, {}).get("last"))
               for p in members_of(branch).only("id", "name", "position", "pinyin")]
    figures.members = len(members)
    return BranchSummary(branch, period, figures, members)


@dataclass
class YearTotals:
    branches: int  # branches in the subtree now
    active_branches: int  # of them, those that held a session in the year
    sessions: int
    person_times: int  # members and guests, as the district view counts them
    meetings: int
    meeting_person_times: int  # attendances, as the meetings page counts them
    # sessions and person-times under each child of the subtree's top (keyed by the child's path)
    by_child: dict[str, list[int]] = field(default_factory=dict)


def year_totals(org: Organization, year: int) -> YearTotals:
    """The subtree's remote education and meetings of ``year`` in totals, counted as this app's own pages
    count them (so the year report and these pages never disagree)."""
    branches = set(Organization.objects.filter(path__startswith=org.path, kind="branch", archived_at__isnull=True)
                   .values_list("id", flat=True))
    held = (BranchSession.objects.live().filter(branch__path__startswith=org.path, held_on__year=year).order_by()
            .values_list("branch_id", "branch__path", "attendee_count", "guest_names"))
    sessions, person_times, active = 0, 0, set()
    by_child: dict[str, list[int]] = {}
    child = org.child_cut
    for branch_id, path, attendees, guests in held.iterator(chunk_size=5000):
        pt = attendees + len(guests or ())
        sessions += 1
        person_times += pt
        active.add(branch_id)
        counts = by_child.setdefault(path[:child], [0, 0])
        counts[0] += 1
        counts[1] += pt
    meetings = Meeting.objects.filter(organizer__path__startswith=org.path, held_on__year=year)
    return YearTotals(branches=len(branches), active_branches=len(active & branches), sessions=sessions,
                      person_times=person_times, meetings=meetings.count(),
                      meeting_person_times=MeetingAttendance.objects.filter(meeting__in=meetings).count(),
                      by_child=by_child)


# --- meetings -------------------------------------------------------------------------------------
@dataclass
class MeetingSummary:
    year: int
    meetings: int
    person_times: int
    by_kind: list[tuple[str, int, int]]
    by_category: list[tuple[str, int]]


def meeting_summary(meetings, year: int) -> MeetingSummary:
    """Meetings of ``year`` among ``meetings`` (already scoped), person-times by kind and by the
    attendees' category of that year (a person in two categories counts in both)."""
    from jingpei.activities.models import MeetingKind

    in_year = meetings.filter(held_on__year=year)
    kinds = {r["kind"]: r for r in in_year.values("kind").annotate(n=Count("id", distinct=True), pt=Count("attendances"))}
    by_kind = [(label, kinds[k]["n"], kinds[k]["pt"]) for k, label in MeetingKind.choices if k in kinds]
    cats = (MeetingAttendance.objects.filter(meeting__in=in_year, person__categories__year=year)
            .values("person__categories__category__name", "person__categories__category__sort_order")
            .annotate(n=Count("id")).order_by("person__categories__category__sort_order"))
    return MeetingSummary(
        year=year, meetings=sum(k[1] for k in by_kind), person_times=sum(k[2] for k in by_kind), by_kind=by_kind,
        by_category=[(c["person__categories__category__name"], c["n"]) for c in cats],
    )
