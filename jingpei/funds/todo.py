"""The funds' part of the home page's to-do list: items waiting for this approver, items returned to this
manager to mend, and from December the budgets whose year is to be closed."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core.todo import Todo
from jingpei.funds import access


def waiting_count(user) -> int:
    return sum(items.count() for items in access.waiting_for(user))


def waiting(user):
    n = waiting_count(user)
    if n:
        yield Todo(_("%(n)s 项经费事项待您审批（预算、支出、预算调整）") % {"n": n}, reverse("funds:approvals"), "patch-check", order=10)


def returned(user):
    budgets, expenses, adjustments = access.returned_to(user)
    for item in [*budgets.order_by("pk")[:5], *expenses.order_by("pk")[:5], *adjustments.select_related("budget").order_by("pk")[:5]]:
        yield Todo(_("被退回，待修改后重新提交：%(t)s") % {"t": item}, item.get_absolute_url(), "arrow-return-left", order=20)


def year_end(user):
    """From 1 December, the budgets still open that the year-end close is due for: one named, to its page;
    several counted, to the list of the earliest year among them."""
    due = list(access.to_close(user, timezone.localdate()).order_by("year", "pk")[:2])
    if len(due) == 1:
        yield Todo(_("待年终结算（结转或结余收回）：%(t)s") % {"t": due[0]}, due[0].get_absolute_url(), "calendar2-check", order=25)
    elif due:
        n = access.to_close(user, timezone.localdate()).count()
        yield Todo(_("%(n)s 份预算待年终结算（结转或结余收回）") % {"n": n}, f"{reverse('funds:index')}?year={due[0].year}",
                   "calendar2-check", order=25)


TODOS = [waiting, returned, year_end]
