"""Which subtrees' reports a user may read: those their REPORT_VIEW grants cover (the one scoping
mechanism, ``core.scoping``)."""

from __future__ import annotations

from django.http import Http404

from jingpei.core.lookups import get_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.access import scope_roots
from jingpei.orgs.models import Organization


def get_subtree(user, org_id) -> Organization:
    org = get_or_404(Organization.objects.all(), org_id)
    if not scope_for(user, Perm.REPORT_VIEW).covers(org.path):
        raise Http404
    return org


def roots(user) -> list[Organization]:
    return scope_roots(user, Perm.REPORT_VIEW)


def sees_funds(user, root: Organization) -> bool:
    """Whether the year figures of ``root`` shown to ``user`` include the training funds."""
    return scope_for(user, Perm.FUNDS_VIEW).covers(root.path)
