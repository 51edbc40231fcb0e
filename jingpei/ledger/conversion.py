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


def applies(*, form: str, basis: str) -> bool:
    """Whether an active rule converts ``form`` by ``basis`` (else the caller keeps its own measure)."""
    return ConversionRule.objects.filter(active=True, form=form, basis=basis).exists()


def convert_hours(*, form: str, basis: str, quantity, code: str | None = None,
                  already_credited: Decimal = Decimal(0)) -> Decimal:
    """学时 for ``quantity`` (minutes, items, days or hours) of ``form``. ``code`` picks one rule when
    several share a form and basis (a micro-course vs a passed test); otherwise the rule whose
    [min, max) range holds ``quantity`` applies. ``already_credited`` from the same source counts
    against the rule's per-source cap (a class's days). Below every range: 0."""
    try:
        quantity = Decimal(str(quantity))
    except ArithmeticError:
        raise DomainError(_("数量“%(q)s”不是有效数字。") % {"q": quantity}, field="quantity") from None
    if quantity < 0:
        raise DomainError(_("数量不能为负数。"), field="quantity")
    rules = ConversionRule.objects.filter(active=True, form=form, basis=basis)
    if code:
        rules = rules.filter(code=code)
    rule = next((r for r in rules.order_by("-min_quantity")
                 if quantity >= r.min_quantity and (r.max_quantity is None or quantity < r.max_quantity)), None)
    if rule is None:
        return Decimal(0)
    per_unit = basis in ("day", "hour")
    hours = (rule.hours * quantity if per_unit else rule.hours) * rule.multiplier
    if rule.cap_per_source is not None:
        hours = max(Decimal(0), min(hours, rule.cap_per_source - already_credited))
    return hours.normalize() if hours else Decimal(0)
