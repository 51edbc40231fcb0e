"""The accounts' part of the home page's to-do list: people in the administrator's scope who cannot log in
yet (no account), so that opening them in bulk is not forgotten after a roster import."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.core.todo import Todo
from jingpei.orgs.models import Organization, Person


def people_without_accounts(user):
    scope = scope_for(user, Perm.ACCOUNT_MANAGE)
    if scope.empty:
        return
    # EXISTS, not a count: one probe that stops at the first such person, whatever the district's size.
    if not Person.objects.active().in_orgs(scope.q("org__path")).filter(user__isnull=True).exists():
        return
    url = reverse("accounts:open")
    if len(scope.prefixes) == 1 and (root := Organization.objects.filter(path=scope.prefixes[0]).first()):
        url += f"?org={root.pk}"
    yield Todo(_("您管理的范围内有人员尚未开通平台账号（扫码签到、网络学习都需要账号）"), url, "person-plus", order=40)


TODOS = [people_without_accounts]
