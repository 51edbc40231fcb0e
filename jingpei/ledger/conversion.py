"""Credit conversion as data (:class:`~jingpei.ledger.models.ConversionRule`): how a watched course,
a micro-course, a passed test, a day of full-time training or an hour taught turns into 学时.

The capabilities that credit hours call :func:`convert_hours` to know *how much* to credit, then
``services.credit_hours``. Per-year caps (e.g. teaching) are applied when compliance is computed, so
the ledger keeps what actually happened."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError
from jingpei.ledger.models import ConversionRule

MICRO_COURSE = "micro-course"  # the preset valuing a course shorter than every length rule, by the item


def rules_for(*, form: str, basis: str, code: str | None = None) -> list[ConversionRule]:
    """The active rules converting ``form`` by ``basis`` (empty: the caller keeps its own measure), widest
    lower bound first. Read once by a caller valuing many things (a class's trainees) with :func:`hours_by`."""
    rules = ConversionRule.objects.filter(active=True, form=form, basis=basis)
    if code:
        rules = rules.filter(code=code)
    return list(rules.order_by("-min_quantity"))


def hours_by(rules: list[ConversionRule], *, basis: str, quantity, already_credited: Decimal = Decimal(0)) -> Decimal:
    """学时 for ``quantity`` (minutes, items, days or hours) by the first of ``rules`` whose [min, max)
    range holds it; ``already_credited`` from the same source counts against the rule's per-source cap
    (a class's days). Below every range: 0."""
    try:
        quantity = Decimal(str(quantity))
    except ArithmeticError:
        raise DomainError(_("数量“%(q)s”不是有效数字。") % {"q": quantity}, field="quantity") from None
    if quantity < 0:
        raise DomainError(_("数量不能为负数。"), field="quantity")
    rule = next((r for r in rules if quantity >= r.min_quantity and (r.max_quantity is None or quantity < r.max_quantity)),
                None)
    if rule is None:
        return Decimal(0)
    per_unit = basis in ("day", "hour")
    hours = (rule.hours * quantity if per_unit else rule.hours) * rule.multiplier
    if rule.cap_per_source is not None:
        hours = max(Decimal(0), min(hours, rule.cap_per_source - already_credited))
    return hours.normalize() if hours else Decimal(0)


def convert_hours(*, form: str, basis: str, quantity, code: str | None = None,
                  already_credited: Decimal = Decimal(0)) -> Decimal:
    """学时 for ``quantity`` of ``form`` by the active rules. ``code`` picks one rule when several share a
    form and basis (a micro-course vs a passed test, both by the item)."""
    return hours_by(rules_for(form=form, basis=basis, code=code), basis=basis, quantity=quantity,
                    already_credited=already_credited)
