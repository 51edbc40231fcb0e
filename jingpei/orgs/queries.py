"""Read side of organisations and people: plain data for pages, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core import crypto
from jingpei.core.permissions import Perm
from jingpei.core.pinyin import is_pinyin_query
from jingpei.core.scoping import scope_for
from jingpei.orgs.access import scope_roots, visible_orgs, visible_people
from jingpei.orgs.idnumbers import clean_id_number, clean_phone
from jingpei.orgs.models import Membership, Organization, PersonCategory

STEP = Organization.steplen


def subtree_people_counts(prefix_len: int, condition: Q) -> dict[str, int]:
    """Distinct active people per path prefix of ``prefix_len`` among memberships matching
    ``condition``: the people count of every child node in one GROUP BY."""
    rows = (
        Membership.objects.filter(condition, person__archived_at__isnull=True)
        .annotate(prefix=Substr("org__path", 1, prefix_len))
        .order_by()
        .values("prefix")
        .annotate(n=Count("person_id", distinct=True))
    )
    return {r["prefix"]: r["n"] for r in rows}


@dataclass
class TreeRow:
    org: Organization
    children: int
    people: int


def tree_rows(user, parent: Organization | None, *, include_archived: bool = False) -> list[TreeRow]:
    """The children of ``parent`` (or the roots of the user's scope) with their counts: two GROUP BY
    queries per tree level shown, whatever the number of nodes."""
    if parent is None:
        nodes = scope_roots(user)
    else:
        qs = Organization.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        if not include_archived:
            qs = qs.filter(archived_at__isnull=True)
        nodes = list(qs.order_by("kind", "pinyin", "path"))
    people: dict[str, int] = {}
    children: dict[str, int] = {}
    for depth in sorted({n.depth for n in nodes}):
        prefixes = [parent.path] if parent else [n.path for n in nodes if n.depth == depth]
        in_prefixes, members_in = Q(), Q()
        for p in prefixes:
            in_prefixes |= Q(path__startswith=p)
            members_in |= Q(org__path__startswith=p)
        people.update(subtree_people_counts(depth * STEP, members_in & Q(org__depth__gte=depth)))
        rows = (
            Organization.objects.filter(in_prefixes, depth=depth + 1, archived_at__isnull=True)
            .order_by()  # the tree manager orders by path, which would split the groups
            .annotate(prefix=Substr("path", 1, depth * STEP))
            .values("prefix")
            .annotate(n=Count("id"))
        )
        children.update({r["prefix"]: r["n"] for r in rows})
    return [TreeRow(n, children.get(n.path, 0), people.get(n.path, 0)) for n in nodes]


def search_orgs(user, query: str, *, limit: int = 20, perm: str = Perm.ORG_VIEW, active_only: bool = True):
    query = (query or "").strip()
    if not query:
        return []
    qs = visible_orgs(user, perm)
    if active_only:
        qs = qs.filter(archived_at__isnull=True)
    if is_pinyin_query(query):
        q = query.lower()
        qs = qs.filter(Q(initials__contains=" " + q) | Q(pinyin__contains=" " + q))
    else:
        qs = qs.filter(name__contains=query)
    orgs = list(qs.order_by("depth", "path")[:limit])
    return with_breadcrumbs(orgs)


def with_breadcrumbs(orgs: list[Organization]) -> list[Organization]:
    """Attach ``breadcrumb`` (ancestor names) to each organisation with one query."""
    ancestor_paths = {p for o in orgs for p in o.ancestor_paths()}
    names = dict(Organization.objects.filter(path__in=ancestor_paths).values_list("path", "name"))
    for o in orgs:
        o.breadcrumb = [names.get(p, "…") for p in o.ancestor_paths()]
    return orgs


def ancestors(org: Organization, user) -> list[Organization]:
    """Ancestors of ``org`` the user may see (for breadcrumbs and the "up" link)."""
    scope = scope_for(user, Perm.ORG_VIEW)
    return [
        a
        for a in Organization.objects.filter(path__in=org.ancestor_paths()).order_by("depth")
        if scope.covers(a.path)
    ]


def search_people(qs, query: str):
    """Filter a people queryset by what a user types: a name, pinyin or initials, the last digits of
    an ID number, a whole ID number, or a phone number."""
    query = (query or "").strip()
    if not query:
        return qs
    compact = clean_id_number(query)
    if len(compact) == 18:
        return qs.filter(id_hash=crypto.blind_index(compact, "id_number"))
    digits = clean_phone(query)
    if digits and digits == compact:
        if len(digits) == 11:
            return qs.filter(phone_hash=crypto.blind_index(digits, "phone"))
        if len(digits) <= 4 or (len(compact) <= 4 and compact[-1:] == "X"):
            return qs.filter(Q(id_masked__endswith=compact) | Q(phone_masked__endswith=digits))
        raise ValueError(_("按身份证号查找请输入末尾 1–4 位或完整的 18 位号码。"))
    if compact.endswith("X") and compact[:-1].isdigit() and len(compact) <= 4:
        return qs.filter(id_masked__endswith=compact)
    if is_pinyin_query(query):
        q = query.lower()
        return qs.filter(Q(initials__contains=" " + q) | Q(pinyin__contains=" " + q))
    return qs.filter(name__contains=query)


def people_queryset(
    user,
    *,
    query: str = "",
    org: Organization | None = None,
    category_id: int | None = None,
    year: int | None = None,
    include_archived: bool = False,
):
    """The people list as shown on screen (and exported): scoped, filtered, ordered by pinyin."""
    qs = visible_people(user)
    if org is not None:
        qs = qs.in_subtree(org)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if category_id:
        qs = qs.filter(
            categories__category_id=category_id, categories__year=year or timezone.localdate().year
        )
    qs = search_people(qs, query)
    return qs.select_related("primary_org").order_by("pinyin", "id")


def attach_categories(people: list, year: int) -> list:
    """Each person's category names of ``year`` as ``category_names``, in one query."""
    by_person: dict[int, list[str]] = {}
    for pid, name in (
        PersonCategory.objects.filter(person__in=[p.pk for p in people], year=year)
        .values_list("person_id", "category__name")
        .order_by("category__sort_order")
    ):
        by_person.setdefault(pid, []).append(name)
    for p in people:
        p.category_names = by_person.get(p.pk, [])
    return people


def home_summary(user) -> dict:
    cards = []
    roots = scope_roots(user)
    if roots:
        orgs = visible_orgs(user).filter(archived_at__isnull=True)
        cards.append({"key": "orgs", "label": _("组织"), "value": orgs.count()})
        cards.append({"key": "branches", "label": _("党支部"), "value": orgs.filter(kind="branch").count()})
    if not scope_for(user, Perm.PERSON_VIEW).empty:
        cards.append(
            {
                "key": "people",
                "label": _("人员"),
                "value": visible_people(user).filter(archived_at__isnull=True).count(),
            }
        )
    return {"cards": cards, "scopes": roots}
