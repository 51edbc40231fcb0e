"""The ledger's JSON API under /api/v1/ledger/: thin — access, then query or service."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from jingpei.core.apitypes import Id, JobOut, Limit, Offset
from jingpei.ledger import access, compliance, dated, services
from jingpei.ledger.models import ConversionRule, LedgerEntry

router = Router(tags=["学时台账"])


class EntryOut(Schema):
    id: int
    person_id: int
    occurred_on: date
    hours: Decimal
    form: str
    form_label: str
    title: str
    source_type: str
    source_id: str
    reverses_id: int | None
    reversed: bool
    reason: str
    recorded_at: datetime


class EntryPage(Schema):
    count: int
    items: list[EntryOut]


def _entry_out(e: LedgerEntry, reversed_ids: set[int]) -> dict:
    return {"id": e.pk, "person_id": e.person_id, "occurred_on": e.occurred_on, "hours": e.hours, "form": e.form,
            "form_label": str(e.get_form_display()), "title": e.title, "source_type": e.source_type,
            "source_id": e.source_id, "reverses_id": e.reverses_id, "reversed": e.pk in reversed_ids,
            "reason": e.reason, "recorded_at": e.recorded_at}


class RuleResultOut(Schema):
    rule_id: int
    rule: str
    period_start: date
    period_end: date
    required: Decimal
    earned: Decimal
    gap: Decimal
    status: str
    status_label: str
    notes: list[str]


class CountsOut(Schema):
    covered: int
    met: int
    on_track: int
    behind: int
    exempt: int
    rate: float


class ChildCountsOut(CountsOut):
    path: str


class RuleSummaryOut(Schema):
    rule_id: int
    rule: str
    period_start: date
    period_end: date
    as_of: date  # the date the figures answer for (the materialised one when none was asked)
    total: CountsOut
    by_child: list[ChildCountsOut]
    by_category: dict[int, CountsOut]


class RuleOut(Schema):
    id: int
    code: str
    name: str
    active: bool
    period_kind: str
    required_hours: Decimal
    forms: list[str]
    org_id: int | None


class ConversionOut(Schema):
    id: int
    code: str
    name: str
    form: str
    basis: str
    min_quantity: Decimal
    max_quantity: Decimal | None
    hours: Decimal
    multiplier: Decimal
    cap_per_source: Decimal | None
    cap_per_year: Decimal | None
    active: bool


class ConversionPatch(Schema):
    """The fields to change; those left out keep their value (null clears an optional bound or cap)."""

    name: str | None = None
    min_quantity: Decimal | None = None
    max_quantity: Decimal | None = None
    hours: Decimal | None = None
    multiplier: Decimal | None = None
    cap_per_source: Decimal | None = None
    cap_per_year: Decimal | None = None
    active: bool | None = None


class ReverseIn(Schema):
    reason: str


class RuleSwitchIn(Schema):
    active: bool


def _counts(c) -> dict:
    return {"covered": c.covered, "met": c.met, "on_track": c.on_track, "behind": c.behind, "exempt": c.exempt,
            "rate": c.rate}


@router.get("/persons/{person_id}/entries", response=EntryPage)
def person_entries(request, person_id: int, limit: Limit = 50, offset: Offset = 0):
    person = access.get_ledger_person(request.user, person_id)
    entries = LedgerEntry.objects.filter(person=person).order_by("-occurred_on", "-id")
    page = list(entries[offset : offset + limit])  # both bounded by their types
    reversed_ids = set(LedgerEntry.objects.filter(reverses__in=[e.pk for e in page]).values_list("reverses_id", flat=True))
    return {"count": entries.count(), "items": [_entry_out(e, reversed_ids) for e in page]}


@router.get("/persons/{person_id}/compliance", response=list[RuleResultOut])
def person_compliance(request, person_id: int, as_of: date | None = None):
    person = access.get_ledger_person(request.user, person_id)
    return [{"rule_id": r.rule.pk, "rule": r.rule.name, "period_start": r.period.start, "period_end": r.period.end,
             "required": r.required, "earned": r.earned, "gap": r.gap, "status": r.status,
             "status_label": r.status_label, "notes": list(r.notes)}
            for r in compliance.person_compliance(person, as_of=as_of)]


@router.post("/entries/{entry_id}/reverse", response={201: EntryOut})
def reverse_entry(request, entry_id: int, payload: ReverseIn):
    entry = access.get_entry(request.user, entry_id, write=True)
    reversal = services.correct_entry(actor=request.user, entry=entry, reason=payload.reason)
    return Status(201, _entry_out(reversal, set()))


@router.get("/orgs/{org_id}/compliance", response={200: list[RuleSummaryOut], 202: JobOut})
def org_compliance(request, org_id: int, as_of: date | None = None):
    """The page's figures. A subtree too large to evaluate on the request for ``as_of`` answers 202 with
    its background job; the same call again answers 200 with the result once the job is done."""
    root = access.get_subtree(request.user, org_id)
    rules = access.visible_rules(request.user).filter(active=True)
    figures = dated.figures(request.user, root, rules, as_of=as_of, wait_for_rebuild=False)
    if figures.waiting:
        return Status(202, JobOut.of(figures.waiting))
    return [{"rule_id": s.rule.pk, "rule": s.rule.name, "period_start": s.period.start, "period_end": s.period.end,
             "as_of": figures.as_of, "total": _counts(s.total),
             "by_child": [{"path": p, **_counts(c)} for p, c in sorted(s.by_child.items())],
             "by_category": {k: _counts(c) for k, c in s.by_category.items()}}
            for s in figures.summaries]


def _rule_out(rule) -> dict:
    return {"id": rule.pk, "code": rule.code, "name": rule.name, "active": rule.active, "period_kind": rule.period_kind,
            "required_hours": rule.required_hours, "forms": rule.forms, "org_id": rule.org_id}


@router.get("/rules", response=list[RuleOut])
def rules(request):
    return [_rule_out(r) for r in access.visible_rules(request.user)]


@router.patch("/rules/{rule_id}", response=RuleOut)
def switch_rule(request, rule_id: int, payload: RuleSwitchIn):
    rule = access.get_rule(request.user, rule_id, write=True)
    return _rule_out(services.switch_rule(actor=request.user, rule=rule, active=payload.active))


CONVERSION_OUT = tuple(ConversionOut.model_fields)


def _conversion_out(conversion: ConversionRule) -> dict:
    return {f: getattr(conversion, f) for f in CONVERSION_OUT}
NULLABLE = {"max_quantity", "cap_per_source", "cap_per_year"}  # null is a value for these: no bound, no cap


@router.get("/conversions", response=list[ConversionOut])
def conversions(request):
    """Every credit-conversion rule (global data; switched-off ones too, for those who manage them)."""
    rules = ConversionRule.objects.all()
    if not access.can_manage_rule(request.user, None):
        rules = rules.filter(active=True)
    return [_conversion_out(c) for c in rules]


@router.patch("/conversions/{conversion_id}", response=ConversionOut)
def change_conversion(request, conversion_id: Id, payload: ConversionPatch):
    conversion = get_object_or_404(ConversionRule, pk=conversion_id)
    sent = payload.model_dump(exclude_unset=True)
    values = {k: v for k, v in sent.items() if v is not None or k in NULLABLE}
    conversion = services.save_conversion(actor=request.user, conversion=conversion, **values)
    conversion.refresh_from_db()  # the values as stored (decimal places), not as sent
    return _conversion_out(conversion)
