"""JSON API for organisations and people (/api/v1/orgs/, /api/v1/people/), scoped like the pages."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from jingpei.core.actors import AuthedRequest
from jingpei.core.apitypes import Id, PageNumber, Year
from jingpei.core.errors import DomainError
from jingpei.core.permissions import Perm, Role
from jingpei.core.scoping import scope_for, user_roles
from jingpei.orgs import queries, services
from jingpei.orgs.access import get_org, get_person
from jingpei.orgs.choices import OrgKind
from jingpei.orgs.models import Category, Organization, Person

org_router = Router(tags=["组织 organisations"])
people_router = Router(tags=["人员 people"])
me_router = Router(tags=["当前用户 me"])
routers = [("orgs", org_router), ("people", people_router), ("me", me_router)]

MAX_PER_PAGE = 200


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    depth: int
    parent_id: int | None = None
    archived: bool
    children: int | None = None
    people: int | None = None
    path_names: list[str] = []


def _org_out(org: Organization, *, children: int | None = None, people: int | None = None) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "kind_label": str(OrgKind(org.kind).label),
        "depth": org.depth,
        "archived": org.archived_at is not None,
        "children": children,
        "people": people,
        "path_names": getattr(org, "breadcrumb", []),
    }


class OrgCreateIn(Schema):
    parent_id: Id
    name: str = Field(..., min_length=1, max_length=100)
    kind: OrgKind


class OrgUpdateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: OrgKind | None = None


class MoveIn(Schema):
    new_parent_id: Id


@org_router.get("/", response=list[OrgOut], summary="组织列表：授权范围的顶层，或某组织的下级，或搜索")
def list_orgs(request: AuthedRequest, parent: int | None = None, q: str = "") -> Any:
    if q:
        return [_org_out(o) for o in queries.search_orgs(request.user, q, limit=50)]
    parent_org = get_org(request.user, parent) if parent else None
    return [
        _org_out(r.org, children=r.children, people=r.people)
        for r in queries.tree_rows(request.user, parent_org)
    ]


@org_router.get("/{org_id}", response=OrgOut)
def get_org_detail(request: AuthedRequest, org_id: int) -> Any:
    org = queries.with_breadcrumbs([get_org(request.user, org_id)])[0]
    return _org_out(org)


@org_router.post("/", response={201: OrgOut})
def create_org(request: AuthedRequest, payload: OrgCreateIn) -> Any:
    parent = get_org(request.user, payload.parent_id, write=True)
    org = services.create_org(actor=request.user, parent=parent, name=payload.name, kind=payload.kind)
    return Status(201, _org_out(org))


@org_router.patch("/{org_id}", response=OrgOut)
def update_org(request: AuthedRequest, org_id: int, payload: OrgUpdateIn) -> Any:
    org = get_org(request.user, org_id, write=True)
    return _org_out(services.rename_org(actor=request.user, org=org, name=payload.name, kind=payload.kind))


@org_router.post("/{org_id}/move", response=OrgOut)
def move_org(request: AuthedRequest, org_id: int, payload: MoveIn) -> Any:
    org = get_org(request.user, org_id, write=True)
    target = get_org(request.user, payload.new_parent_id, write=True)
    return _org_out(services.move_org(actor=request.user, org=org, new_parent=target))


@org_router.post("/{org_id}/archive", response=OrgOut)
def archive_org(request: AuthedRequest, org_id: int) -> Any:
    org = get_org(request.user, org_id, write=True)
    return _org_out(services.archive_org(actor=request.user, org=org))


@org_router.post("/{org_id}/restore", response=OrgOut)
def restore_org(request: AuthedRequest, org_id: int) -> Any:
    org = get_org(request.user, org_id, write=True)
    return _org_out(services.restore_org(actor=request.user, org=org))


# --- people ---------------------------------------------------------------------------------------
class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    id_number_masked: str
    phone_masked: str
    political_status: str
    position: str
    rank_level: str
    rank_since: date | None = None
    primary_org_id: int
    primary_org_name: str
    categories: list[str] = []
    archived: bool


def _person_out(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "gender": p.gender,
        "birth_date": p.birth_date,
        "ethnicity": p.ethnicity,
        "id_number_masked": p.id_masked,
        "phone_masked": p.phone_masked,
        "political_status": p.political_status,
        "position": p.position,
        "rank_level": p.rank_level,
        "rank_since": p.rank_since,
        "primary_org_id": p.primary_org_id,
        "primary_org_name": p.primary_org.name,
        "categories": getattr(p, "category_names", []),
        "archived": p.archived_at is not None,
    }


class PeoplePage(Schema):
    count: int
    page: int
    per_page: int
    items: list[PersonOut]


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    id_number: str
    primary_org_id: Id
    phone: str = ""
    gender: str | None = None
    birth_date: date | None = None
    ethnicity: str = "汉族"
    political_status: str = "masses"
    position: str = ""
    rank_level: str = ""
    rank_since: date | None = None
    category_ids: list[Id] = []


class PersonPatch(Schema):
    """Only the fields sent change; a field sent as null is left as it is."""

    name: str | None = Field(None, min_length=1, max_length=50)
    id_number: str | None = None
    primary_org_id: Id | None = None
    phone: str | None = None
    ethnicity: str | None = None
    political_status: str | None = None
    position: str | None = None
    rank_level: str | None = None
    rank_since: date | Literal[""] | None = None  # "" clears the date (kept rank, date unknown)


def _categories(ids: list[int]) -> list[Category]:
    cats = list(Category.objects.filter(pk__in=ids, active=True))
    if len(cats) != len(set(ids)):
        raise DomainError("人员类别不存在或已停用。", field="category_ids")
    return cats


@people_router.get("/", response=PeoplePage, summary="人员列表（按授权范围）")
def list_people(
    request: AuthedRequest,
    q: str = "",
    org: Id | None = None,
    category: Id | None = None,
    year: Year | None = None,
    page: PageNumber = 1,
    per_page: int = 20,  # clamped below
) -> Any:
    if scope_for(request.user, Perm.PERSON_VIEW).empty:
        raise Http404
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    year = year or timezone.localdate().year
    org_obj = get_org(request.user, org) if org else None
    try:
        qs = queries.people_queryset(request.user, query=q, org=org_obj, category_id=category, year=year)
    except ValueError as exc:
        raise DomainError(str(exc), field="q") from None
    items = list(qs[(page - 1) * per_page : page * per_page])
    queries.attach_categories(items, year)
    return {"count": qs.count(), "page": page, "per_page": per_page, "items": [_person_out(p) for p in items]}


@people_router.get("/{person_id}", response=PersonOut)
def get_person_detail(request: AuthedRequest, person_id: int) -> Any:
    person = get_person(request.user, person_id)
    queries.attach_categories([person], timezone.localdate().year)
    return _person_out(person)


@people_router.post("/", response={201: PersonOut})
def create_person(request: AuthedRequest, payload: PersonIn) -> Any:
    org = get_org(request.user, payload.primary_org_id)
    data = payload.dict(exclude={"primary_org_id", "category_ids"})
    person, _warnings = services.create_person(
        actor=request.user, primary_org=org, categories=_categories(payload.category_ids), **data
    )
    return Status(201, _person_out(person))


@people_router.patch("/{person_id}", response=PersonOut)
def update_person(request: AuthedRequest, person_id: int, payload: PersonPatch) -> Any:
    person = get_person(request.user, person_id, write=True)
    # null, like an absent field, leaves the value as it is (clear a phone, rank or rank date with "")
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if data.get("rank_since") == "":
        data["rank_since"] = None
    org_id = data.pop("primary_org_id", None)
    org = get_org(request.user, org_id) if org_id is not None else None
    person, _warnings = services.update_person(actor=request.user, person=person, primary_org=org, **data)
    return _person_out(person)


class MeOut(Schema):
    username: str
    name: str
    person_id: int | None
    roles: list[str]


@me_router.get("/", response=MeOut)
def me(request: AuthedRequest) -> Any:
    user = request.user
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "person_id": user.person_id,
        "roles": [r for r in Role.values if r in user_roles(user)],
    }
