"""A subtree's figures of one year (年终有总结): the classes it ran and its people's person-times, the
annual plans against their targets, the study hours its people earned by form and month, and the
branches' remote education and meetings.

Plain, JSON-able data read with a dozen aggregate queries whatever the subtree's size, so that a large
subtree's figures can be made by a background job and kept (``reports.jobs``). People are counted where
they are registered now (their primary organisation), as the compliance figures count them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.activities import queries as activity_queries
from jingpei.classes import queries as class_queries
from jingpei.classes.models import AnnualPlan, Certificate, ClassForm, Enrolment, TrainingClass
from jingpei.core.charts import stacked_months
from jingpei.funds import queries as fund_queries
from jingpei.funds.models import Budget
from jingpei.ledger import compliance, standing
from jingpei.ledger.models import MonthRollup, RequirementRule, TrainingForm, hours_of
from jingpei.orgs.models import Organization, Person
from jingpei.surveys import queries as survey_queries

# Classes held or being held: not in preparation, not called off.
HELD_STATUSES = (TrainingClass.Status.OPEN, TrainingClass.Status.COMPLETED)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list]
    org_ids: list[int | None] = field(default_factory=list)  # per row: the organisation its first cell names
    money: list[int] = field(default_factory=list)  # columns in yuan: shown to the fen, 12,000.00

    def linked_rows(self) -> list[tuple[int | None, list]]:
        return [(self.org_ids[i] if i < len(self.org_ids) else None, row) for i, row in enumerate(self.rows)]


@dataclass
class YearFigures:
    org_id: int
    org_name: str
    year: int
    made_at: str  # when the figures were read (ISO): a kept job's figures say how old they are
    key: list[list] = field(default_factory=list)  # [label, value, unit]
    tables: list[Table] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    kept: bool = False  # read back from a finished job (then the page offers to count again)

    @property
    def made_at_text(self) -> str:
        return self.made_at[:16].replace("T", " ")

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> YearFigures:
        return cls(**{**data, "tables": [Table(**t) for t in data["tables"]], "kept": True})


def _ratio(part, whole) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _average(tenths: int, people: int) -> float:
    return float(round(hours_of(tenths) / people, 1)) if people else 0.0


def year_figures(root: Organization, year: int, progress: Callable[[int, int, str], None] | None = None, *,
                 funds: bool = False) -> YearFigures:
    """``progress(done, total, message)`` follows the steps (for the background job of a large subtree);
    ``funds`` adds the training funds, for a reader whose ``funds.view`` covers ``root``."""
    step = progress or (lambda done, total, message: None)
    made = YearFigures(root.pk, root.name, year, timezone.localtime().isoformat(timespec="minutes"))
    step(0, 4, _("正在统计培训班和年度计划"))
    split = _Split(root)
    people_by_child = split.by_child(Person.objects.active().filter(primary_org__path__startswith=root.path),
                                     "primary_org__path", [], Count("id"))
    people = sum(people_by_child.values())
    classes, places_by_child = _classes(made, split, year)
    _plans(made, root.path, year)
    step(1, 4, _("正在统计学时"))
    total, earners, tenths_by_child = _hours(made, split, year)
    step(2, 4, _("正在统计学时达标情况"))
    _standing(made, root, year)
    step(3, 4, _("正在统计远程教育和以会代训"))
    act = activity_queries.year_totals(root, year)  # counted as the activities pages count them
    made.tables.append(Table(_("基层学习"), [_("项目"), _("数值")], [
        [_("党支部数"), act.branches],
        [_("开展远程教育的支部数"), act.active_branches],
        [_("支部开展率"), _ratio(act.active_branches, act.branches)],
        [_("远程教育学习次数"), act.sessions],
        [_("远程教育参学人次"), act.person_times],
        [_("以会代训次数"), act.meetings],
        [_("以会代训参会人次"), act.meeting_person_times],
    ]))
    _surveys(made, root, year)
    if funds:
        _funds(made, root, year)
    _children(made, split, {"people": people_by_child, "places": places_by_child, "tenths": tenths_by_child,
                            "sessions": act.by_child})
    made.key = [
        [_("在册人员"), people, _("人")],
        [_("主办班次"), classes, _("个")],
        [_("参训人次"), sum(places_by_child.values()), _("人次")],
        [_("总学时"), float(hours_of(total)), _("学时")],
        [_("人均学时"), _average(total, people), _("学时")],
        [_("获得学时人数"), earners, _("人")],
        [_("远程教育学习"), act.sessions, _("次")],
        [_("以会代训"), act.meetings, _("次")],
    ]
    return made


def _classes(made: YearFigures, split: _Split, year: int) -> tuple[int, dict[str, int]]:
    """Classes the subtree ran (organiser inside it) and its people's places in anyone's classes, by form:
    (classes in all, places by child)."""
    path = split.root.path
    classes = dict(TrainingClass.objects.filter(status__in=HELD_STATUSES, organizer__path__startswith=path,
                                                start_date__year=year)
                   .values("form").annotate(n=Count("id")).values_list("form", "n"))
    places: dict[str, int] = {}
    by_child = split.by_child(Enrolment.objects.filter(
        status__in=class_queries.COUNTED, klass__start_date__year=year, klass__status__in=HELD_STATUSES,
        person__primary_org__path__startswith=path), "person__primary_org__path", ["klass__form"], Count("id"),
        totals=places)
    certificates = dict(Certificate.objects.filter(klass__start_date__year=year,
                                                   enrolment__person__primary_org__path__startswith=path)
                        .values("klass__form").annotate(n=Count("id")).values_list("klass__form", "n"))
    made.tables.append(Table(_("培训班（按形式）"), [_("形式"), _("主办班次"), _("本单位参训人次"), _("结业证书")], [
        [str(label), classes.get(value, 0), places.get(value, 0), certificates.get(value, 0)]
        for value, label in ClassForm.choices] + [
        [_("合计"), sum(classes.values()), sum(places.values()), sum(certificates.values())]]))
    return sum(classes.values()), by_child


class _Split:
    """Groups an aggregate by the child of ``root`` each row falls under (an organisation path cut to
    ``root.child_cut``; the root's own path for what sits on the root itself), so that one read gives both
    the subtree's figures and each child's (各下级组织)."""

    def __init__(self, root: Organization):
        self.root, self.cut = root, root.child_cut

    def by_child(self, queryset, path_field: str, keys: list[str], value, totals: dict | None = None) -> dict:
        """``{child path: value}`` summed over ``keys``; ``totals`` (when given) receives the value summed
        over the children instead, per key (a single key: the key itself; several: a tuple)."""
        children: dict[str, int] = {}
        rows = (queryset.annotate(child=Substr(path_field, 1, self.cut)).order_by().values("child", *keys)
                .annotate(v=value).values_list("child", *keys, "v"))
        for child, *key, v in rows:
            v = v or 0
            children[child] = children.get(child, 0) + v
            if totals is not None:
                key = key[0] if len(key) == 1 else tuple(key)
                totals[key] = totals.get(key, 0) + v
        return children


def _children(made: YearFigures, split: _Split, read: dict[str, dict]) -> None:
    """The same figures side by side for each child of the root, and for people registered on the root
    itself (本级), from the reads already made (``read``: people, places, tenths, sessions by child path)."""
    root = split.root
    children = list(Organization.objects.active().filter(path__startswith=root.path, depth=root.depth + 1)
                    .order_by("path").values_list("id", "path", "name"))
    if not children:
        return
    people, places, tenths, sessions = read["people"], read["places"], read["tenths"], read["sessions"]

    def row(name: str, path: str) -> list:
        return [name, people.get(path, 0), places.get(path, 0), float(hours_of(tenths.get(path, 0))),
                _average(tenths.get(path, 0), people.get(path, 0)), *sessions.get(path, [0, 0])]

    rows, org_ids = [row(name, path) for _id, path, name in children], [org_id for org_id, _p, _n in children]
    if people.get(root.path) or tenths.get(root.path):  # people registered on the top organisation itself
        rows.insert(0, row(_("本级"), root.path))
        org_ids.insert(0, None)
    made.tables.append(Table(_("各下级组织"), [_("组织"), _("在册人员"), _("参训人次"), _("学时"), _("人均学时"),
                                           _("远程教育次数"), _("远程教育参学人次")], rows, org_ids))


def _surveys(made: YearFigures, root: Organization, year: int) -> None:
    s = survey_queries.year_totals(root, year)
    if not (s.needs_surveys or s.notes or s.evaluated_classes):
        return
    made.tables.append(Table(_("需求调研与培训评估"), [_("项目"), _("数值")], [
        [_("需求调查问卷"), s.needs_surveys],
        [_("收回问卷"), s.needs_answers],
        [_("走访、座谈等调研记录"), s.notes],
        [_("开展评估的培训班"), s.evaluated_classes],
        [_("评估答卷"), s.evaluation_answers],
        [_("评估平均分（5 分制）"), float(s.mean_score) if s.mean_score is not None else "—"],
        [_("满意率（4–5 分占比）"), f"{s.satisfied}%" if s.mean_score is not None else "—"],
    ]))


def _funds(made: YearFigures, root: Organization, year: int) -> None:
    """The subtree's approved budgets of the year by item: budgeted, spent, in the chain, left (预算执行)."""
    count, items = fund_queries.by_item(Budget.objects.filter(year=year, org__path__startswith=root.path))
    total = fund_queries.ItemFigures(label=_("合计"))
    for f in items:
        total.add(f)

    def row(f: fund_queries.ItemFigures) -> list:
        return [f.label, float(f.budget), float(f.spent), float(f.pending), float(f.remaining), f"{f.rate}%"]

    made.tables.append(Table(
        _("培训经费执行（已批准预算 %(n)s 份，单位：元）") % {"n": count},
        [_("科目"), _("预算"), _("已支出"), _("审批中"), _("结余"), _("执行率")],
        [row(f) for f in items] + ([row(total)] if items else []), money=[1, 2, 3, 4]))
    _funds_by_org(made, root, year)


def _funds_by_org(made: YearFigures, root: Organization, year: int) -> None:
    """The same approved budgets by the child of ``root`` they belong to (本级 for the root's own), with what
    each closed at year end; only when a child has any (a township's own budgets alone say nothing more)."""
    figures = fund_queries.by_org(Budget.objects.filter(year=year, org__path__startswith=root.path), root.child_cut)
    if not set(figures) - {root.path}:
        return
    orgs = {path: (org_id, name) for path, org_id, name in
            Organization.objects.filter(path__in=figures).values_list("path", "id", "name")}
    total = fund_queries.OrgFigures()
    for f in figures.values():
        total.add(f)

    def row(name: str, f: fund_queries.OrgFigures) -> list:
        return [name, f.budgets, float(f.budget), float(f.spent), float(f.pending), float(f.remaining), f"{f.rate}%",
                float(f.carried), float(f.returned)]

    paths = sorted(figures, key=lambda p: (p != root.path, p))  # 本级 first, then the children in tree order
    made.tables.append(Table(
        _("培训经费执行（按单位，单位：元）"),
        [_("单位"), _("预算份数"), _("预算"), _("已支出"), _("审批中"), _("结余"), _("执行率"), _("其中结转"), _("其中收回")],
        [row(_("本级") if p == root.path else orgs[p][1], figures[p]) for p in paths] + [row(_("合计"), total)],
        [None if p == root.path else orgs[p][0] for p in paths] + [None], money=[2, 3, 4, 5, 7, 8]))


def _plans(made: YearFigures, path: str, year: int) -> None:
    plans = list(AnnualPlan.objects.filter(year=year, org__path__startswith=path).select_related("org")
                 .order_by("org__path"))
    done = class_queries.plans_done(plans)
    made.tables.append(Table(_("年度培训计划"), [_("计划"), _("组织单位"), _("目标（人次）"), _("完成（人次）"), _("完成率")], [
        [p.title, p.org.name, p.total_target, done.get(p.pk, 0), _ratio(done.get(p.pk, 0), p.total_target)]
        for p in plans]))


def _standing(made: YearFigures, root: Organization, year: int) -> None:
    """Each rule's standing: this year's from the materialised counts (as 学时达标 shows it; none kept yet, no
    table), a past year's at 31 December, evaluated exactly (the daily build keeps today's only)."""
    today = compliance.today()
    if year == today.year:
        kept = standing.summary(root)
        if kept is None:
            return
        as_of, summaries = kept.as_of, kept.summaries
    else:
        as_of = date(year, 12, 31)
        summaries = standing.summary_at(root, as_of, RequirementRule.objects.switched_on().select_related("org"))
    made.tables.append(Table(
        _("学时达标（截至 %(d)s）") % {"d": as_of.isoformat()},
        [_("规则"), _("周期"), _("应参训"), _("已达标"), _("落后"), _("达标率")],
        [[s.rule.name, s.period.label, s.total.covered, s.total.met, s.total.behind, f"{s.total.rate}%"]
         for s in summaries if s.total.covered]))


def _hours(made: YearFigures, split: _Split, year: int) -> tuple[int, int, dict[str, int]]:
    """Hours by form and by month from the month rollups (net of corrections) of the subtree's people:
    (tenths in all, people with any, tenths by child)."""
    rollups = MonthRollup.objects.filter(month__gte=date(year, 1, 1), month__lte=date(year, 12, 31),
                                         person__primary_org__path__startswith=split.root.path)
    by_month: dict[tuple, int] = {}
    by_child = split.by_child(rollups, "person__primary_org__path", ["month", "form"], Sum("tenths"), totals=by_month)
    tenths_by_form: dict[str, int] = {}
    for (_month, form), tenths in by_month.items():
        tenths_by_form[form] = tenths_by_form.get(form, 0) + tenths
    # People with hours need the people themselves: a read of its own (distinct per form, then in all).
    earners_by_form = dict(rollups.filter(tenths__gt=0).values("form").annotate(n=Count("person", distinct=True))
                           .values_list("form", "n"))
    by_form = {form: (tenths, earners_by_form.get(form, 0)) for form, tenths in tenths_by_form.items()}
    earners = rollups.filter(tenths__gt=0).values("person").distinct().count()
    total = sum(tenths_by_form.values())
    made.tables.append(Table(_("学时（按培训形式）"), [_("培训形式"), _("学时"), _("获得学时人数"), _("获得者人均学时")], [
        [str(label), float(hours_of(by_form[value][0])), by_form[value][1], _average(*by_form[value])]
        for value, label in TrainingForm.choices if value in by_form] + [
        [_("合计"), float(hours_of(total)), earners, _average(total, earners)]]))
    months: dict[int, dict[str, float]] = {m: {} for m in range(1, 13)}
    for (month, form), tenths in by_month.items():
        months[month.month][form] = float(hours_of(tenths))
    made.chart = stacked_months([{"month": m, "forms": forms} for m, forms in months.items()], TrainingForm.choices)
    return total, earners, by_child
