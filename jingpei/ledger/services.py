"""The only way hours enter or leave the ledger. Other capabilities (classes, academy, activities,
imports) call :func:`credit_hours` and :func:`reverse_entry`; they never write ledger rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jingpei.core import audit
from jingpei.core.errors import DomainError
from jingpei.ledger.models import LedgerEntry, TrainingForm
from jingpei.orgs.models import Person

TENTH = Decimal("0.1")
MAX_HOURS_PER_ENTRY = Decimal("1000")


@dataclass(frozen=True)
class Credit:
    entry: LedgerEntry
    created: bool


def to_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise DomainError(_("学时“%(v)s”不是有效数字。") % {"v": value}, field="hours") from None
    return hours


def credit_hours(
    *,
    person: Person,
    hours,
    form: str,
    occurred_on: date,
    idempotency_key: str,
    actor=None,
    title: str = "",
    source_type: str = "",
    source_id: str | int = "",
) -> Credit:
    """Credit ``hours`` to ``person``; a second call with the same key returns the first entry."""
    hours = to_hours(hours)
    if hours <= 0 or hours > MAX_HOURS_PER_ENTRY:
        raise DomainError(_("学时须大于 0 且不超过 1000。"), field="hours")
    if form not in TrainingForm.values:
        raise DomainError(_("未知的培训形式：%(f)s") % {"f": form}, field="form")
    if not idempotency_key:
        raise ValueError("idempotency_key is required")
    existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return Credit(existing, False)
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                person=person, hours=hours, form=form, occurred_on=occurred_on, title=title[:200],
                source_type=source_type, source_id=str(source_id), idempotency_key=idempotency_key,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
            audit.record("ledger.credit", entry, actor=actor, after={"hours": str(hours), "form": form,
                         "key": idempotency_key}, org_path=person.primary_org.path if person.primary_org_id else "")
    except IntegrityError:
        # A concurrent request with the same key won the race: theirs is the one credit.
        return Credit(LedgerEntry.objects.get(idempotency_key=idempotency_key), False)
    return Credit(entry, True)


def reverse_entry(*, entry: LedgerEntry, reason: str, actor=None) -> LedgerEntry:
    """Cancel a credit by a new, negative entry; the original row is never touched."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("更正须填写原因。"), field="reason")
    if entry.reverses_id:
        raise DomainError(_("更正记录本身不能再更正。"))
    key = f"reversal:{entry.pk}"
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                person_id=entry.person_id, hours=-entry.hours, form=entry.form, occurred_on=entry.occurred_on,
                title=entry.title, source_type=entry.source_type, source_id=entry.source_id,
                idempotency_key=key, reverses=entry, reason=reason[:300],
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
            audit.record("ledger.reverse", reversal, actor=actor, before={"entry": entry.pk, "hours": str(entry.hours)},
                         after={"reason": reason})
    except IntegrityError:
        return LedgerEntry.objects.get(idempotency_key=key)
    return reversal
