"""Fetch-and-authorise for ledger data. A person's hours are visible to whoever may see the ledger of
an organisation the person belongs to (``Perm.LEDGER_VIEW``), and to the person themself; corrections
need ``Perm.LEDGER_MANAGE``; rules are visible where they apply and managed with ``Perm.RULES_MANAGE``."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from jingpei.core.errors import NotAllowed
from jingpei.core.lookups import id_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import Scope, scope_for
from jingpei.ledger.models import Exemption, ImportBatch, LedgerEntry, RequirementRule
from jingpei.orgs.models import Organization, Person


def person_in_scope(person: Person, scope: Scope) -> bool:
    if scope.empty:
        return False
    return any(scope.covers(p) for p in person.memberships.values_list("org__path", flat=True))


def can_manage_ledger(user, person: Person) -> bool:
    return person_in_scope(person, scope_for(user, Perm.LEDGER_MANAGE))


def get_ledger_person(user, person_id, *, write: bool = False) -> Person:
    """The person whose hours ``user`` may read (their own, or in their LEDGER_VIEW scope); with
    ``write``, 403 unless the user may also correct them."""
    try:
        person = Person.objects.select_related("primary_org").get(pk=id_or_404(person_id))
    except Person.DoesNotExist:
        raise Http404 from None
    own = getattr(user, "person_id", None) == person.pk
    if not own and not person_in_scope(person, scope_for(user, Perm.LEDGER_VIEW)):
        raise Http404
    if write and not can_manage_ledger(user, person):
        raise NotAllowed(_("您没有更正该人员学时的权限。"))
    return person


def get_entry(user, entry_id, *, write: bool = False) -> LedgerEntry:
    try:
        entry = LedgerEntry.objects.select_related("person").get(pk=id_or_404(entry_id))
    except LedgerEntry.DoesNotExist:
        raise Http404 from None
    get_ledger_person(user, entry.person_id, write=write)
    return entry


def get_subtree(user, org_id) -> Organization:
    """An organisation whose subtree's compliance ``user`` may read."""
    try:
        org = Organization.objects.get(pk=id_or_404(org_id))
    except Organization.DoesNotExist:
        raise Http404 from None
    if not scope_for(user, Perm.LEDGER_VIEW).covers(org.path):
        raise Http404
    return org


def ledger_roots(user) -> list[Organization]:
    scope = scope_for(user, Perm.LEDGER_VIEW)
    if scope.empty:
        return []
    return list(Organization.objects.filter(path__in=scope.prefixes).order_by("path"))


# --- rules ----------------------------------------------------------------------------------------
def _rule_visibility(scope: Scope) -> Q:
    """Rules for everyone, rules set on an organisation inside the scope, and rules set on an ancestor
    of the scope (they apply to the user's people too)."""
    condition = Q(org__isnull=True)
    for prefix in scope.prefixes:
        condition |= Q(org__path__startswith=prefix)
        condition |= Q(org__path__in=Organization.paths_through(prefix))
    return condition


def visible_rules(user):
    scope = scope_for(user, Perm.LEDGER_VIEW)
    if scope.empty:
        return RequirementRule.objects.none()
    return RequirementRule.objects.filter(_rule_visibility(scope)).select_related("org")


def can_manage_rule(user, rule: RequirementRule | None) -> bool:
    """Global rules need RULES_MANAGE on a whole tree (a root); a rule set on an organisation needs it
    over that organisation."""
    scope = scope_for(user, Perm.RULES_MANAGE)
    if scope.empty:
        return False
    if rule is None or rule.org_id is None:
        return any(len(p) == Organization.steplen for p in scope.prefixes)
    return scope.covers(rule.org.path)


def get_rule(user, rule_id, *, write: bool = False) -> RequirementRule:
    try:
        rule = visible_rules(user).get(pk=id_or_404(rule_id))
    except RequirementRule.DoesNotExist:
        raise Http404 from None
    if write and not can_manage_rule(user, rule):
        raise NotAllowed(_("您没有管理该学时规则的权限。"))
    return rule


def get_exemption(user, exemption_id, *, write: bool = False) -> Exemption:
    try:
        exemption = Exemption.objects.select_related("person", "rule").get(pk=id_or_404(exemption_id))
    except Exemption.DoesNotExist:
        raise Http404 from None
    get_ledger_person(user, exemption.person_id, write=write)
    return exemption


def get_import(user, batch_id) -> ImportBatch:
    try:
        batch = ImportBatch.objects.select_related("org").get(pk=id_or_404(batch_id))
    except ImportBatch.DoesNotExist:
        raise Http404 from None
    if not scope_for(user, Perm.LEDGER_MANAGE).covers(batch.org.path):
        raise Http404
    return batch
