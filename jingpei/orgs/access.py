"""Fetch-and-authorise for organisations and people. Views, the API and exports reach
organisation-owned data only through these functions (see ARCHITECTURE, "Scoping")."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jingpei.core import audit, params
from jingpei.core.actors import Viewer
from jingpei.core.errors import NotAllowed
from jingpei.core.lookups import get_or_404, id_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import Scope, scope_for
from jingpei.orgs.models import Organization, Person, PersonQuerySet


# --- organisations --------------------------------------------------------------------------------
def visible_orgs(user: Viewer, perm: str = Perm.ORG_VIEW) -> QuerySet[Organization]:
    return Organization.objects.filter(scope_for(user, perm).q("path"))


def acting_orgs(user: Viewer, perm: str) -> QuerySet[Organization]:
    """The live organisations in ``perm``'s scope: those a record needing ``perm`` may be kept for (a
    budget, a survey, a note)."""
    return Organization.objects.filter(scope_for(user, perm).q("path"), archived_at__isnull=True)


def get_acting_org(user: Viewer, org_id: int | str | None, perm: str) -> Organization:
    """One of :func:`acting_orgs` (404 for any other: a form's hidden id may have been tampered with)."""
    org = acting_orgs(user, perm).filter(pk=id_or_404(org_id)).first()
    if org is None:
        raise Http404
    return org


def picked_org(user: Viewer, raw: str | int | None, perm: str) -> Organization | None:
    """The organisation an org picker holds after a failed submit, to show its name again: only one of
    :func:`acting_orgs` (a tampered hidden id must not print another subtree's name)."""
    org_id = params.number(raw)
    return acting_orgs(user, perm).filter(pk=org_id).first() if org_id is not None else None


def get_org(user: Viewer, org_id: int | str | None, *, write: bool = False) -> Organization:
    """The organisation if ``user`` may see it (404 otherwise); with ``write``, 403 unless they may
    also change it."""
    org = get_or_404(Organization.objects.all(), org_id)
    if not scope_for(user, Perm.ORG_VIEW).covers(org.path):
        raise Http404
    if write and not scope_for(user, Perm.ORG_MANAGE).covers(org.path):
        raise NotAllowed(_("您没有管理该组织的权限。"))
    return org


def scope_roots(user: Viewer, perm: str = Perm.ORG_VIEW) -> list[Organization]:
    """The top nodes of the user's scope (the roots of the tree the user sees)."""
    scope = scope_for(user, perm)
    if scope.empty:
        return []
    return list(Organization.objects.filter(path__in=scope.prefixes).order_by("path"))


def trail(user: Viewer, org: Organization, perm: str) -> list[Organization]:
    """The organisations above ``org`` whose pages (under ``perm``) the user may also open, top first: a
    drill-down page's breadcrumb."""
    scope = scope_for(user, perm)
    paths = [p for p in org.ancestor_paths() if scope.covers(p)]
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


# --- people ---------------------------------------------------------------------------------------
def people_scope_q(scope: Scope) -> Q:
    return scope.q("org__path")


def visible_people(user: Viewer, perm: str = Perm.PERSON_VIEW) -> PersonQuerySet:
    """People with at least one membership inside the user's scope for ``perm``."""
    scope = scope_for(user, perm)
    if scope.empty:
        return Person.objects.none()
    return Person.objects.in_orgs(people_scope_q(scope))


def _person_in_scope(person: Person, scope: Scope) -> bool:
    if scope.empty:
        return False
    paths = person.memberships.values_list("org__path", flat=True)
    return any(scope.covers(p) for p in paths)


def get_person(user: Viewer, person_id: int | str | None, *, write: bool = False) -> Person:
    person = get_or_404(Person.objects.select_related("primary_org"), person_id)
    own = getattr(user, "person_id", None) == person.pk
    if not own and not _person_in_scope(person, scope_for(user, Perm.PERSON_VIEW)):
        raise Http404
    if write and not _person_in_scope(person, scope_for(user, Perm.PERSON_MANAGE)):
        raise NotAllowed(_("您没有修改该人员信息的权限。"))
    return person


def can_manage_person(user: Viewer, person: Person) -> bool:
    return _person_in_scope(person, scope_for(user, Perm.PERSON_MANAGE))


def can_reveal(user: Viewer, person: Person) -> bool:
    return _person_in_scope(person, scope_for(user, Perm.PERSON_VIEW_SENSITIVE))


def reveal_person_numbers(user: Viewer, person: Person) -> dict[str, str]:
    """Unmasked ID and phone numbers, for roles that may see them; every unmasking is audited."""
    if not can_reveal(user, person):
        raise NotAllowed(_("您的角色不能查看完整的身份证号和手机号。"))
    audit.record("person.reveal", person, actor=user, org_path=person.primary_org.path)
    return {"id_number": person.reveal_id_number(), "phone": person.reveal_phone()}
