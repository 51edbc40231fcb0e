"""Pages for people: the scoped roster, the person page, registration and editing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.core.errors import DomainError
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs import queries, services
from jingpei.orgs.access import can_manage_person, can_reveal, get_org, get_person, reveal_person_numbers
from jingpei.orgs.forms import PeopleFilterForm, PersonForm
from jingpei.orgs.history import person_history
from jingpei.orgs.models import Category, PersonCategory

PER_PAGE = 20


@login_required
def people_list(request):
    if scope_for(request.user, Perm.PERSON_VIEW).empty:
        raise Http404
    filters = PeopleFilterForm(request.GET)
    filters.is_valid()
    data = filters.cleaned_data
    org = get_org(request.user, data["org"]) if data.get("org") else None
    year = data.get("year") or timezone.localdate().year
    error = None
    try:
        qs = queries.people_queryset(
            request.user,
            query=data.get("q", ""),
            org=org,
            category_id=data.get("category"),
            year=year,
            include_archived=bool(data.get("archived")),
        )
        page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
        queries.attach_categories(list(page.object_list), year)
    except ValueError as exc:
        error, page = str(exc), None
    context = {
        "page": page,
        "org": org,
        "filters": data,
        "year": year,
        "error": error,
        "categories": Category.objects.filter(active=True),
        "can_create": not scope_for(request.user, Perm.PERSON_MANAGE).empty,
        "can_import": not scope_for(request.user, Perm.PERSON_IMPORT).empty,
        "can_export": not scope_for(request.user, Perm.PERSON_EXPORT).empty,
        "hx_target": "#people-results",
    }
    template = (
        "orgs/_people_results.html"
        if request.htmx and request.htmx.target == "people-results"
        else "orgs/people.html"
    )
    return render(request, template, context)


def _person_context(request, person):
    year = timezone.localdate().year
    categories: dict[int, list[str]] = {}
    for y, name in (
        PersonCategory.objects.filter(person=person)
        .order_by("-year", "category__sort_order")
        .values_list("year", "category__name")
    ):
        categories.setdefault(y, []).append(name)
    return {
        "person": person,
        "memberships": person.memberships.select_related("org").order_by("-is_primary", "org__path"),
        "categories": categories,
        "ranks": list(person.ranks.order_by("-since")),
        "year": year,
        "history": person_history(person),
        "can_edit": can_manage_person(request.user, person),
        "can_reveal": can_reveal(request.user, person),
    }


@login_required
def person_detail(request, person_id):
    person = get_person(request.user, person_id)
    return render(request, "orgs/person.html", _person_context(request, person))


@login_required
def me(request):
    if not request.user.person_id:
        raise Http404
    return redirect("orgs:person", person_id=request.user.person_id)


@login_required
@require_POST
def person_reveal(request, person_id):
    person = get_person(request.user, person_id)
    numbers = reveal_person_numbers(request.user, person)
    return render(request, "orgs/_revealed.html", {"numbers": numbers})


def _orgs_for_form(request, form, field="primary_org"):
    if not form.is_valid():
        return None
    try:
        return get_org(request.user, form.cleaned_data[field])
    except Http404:
        form.add_error(field, _("请从搜索结果中选择您管理范围内的组织。"))
        return None


@login_required
def person_create(request):
    if scope_for(request.user, Perm.PERSON_MANAGE).empty:
        raise Http404
    form = PersonForm(request.POST or None, initial={"primary_org": request.GET.get("org")})
    picked = None
    if request.method == "POST":
        org = _orgs_for_form(request, form)
        picked = org
        if org is not None:
            data = form.cleaned_data
            try:
                person, warnings = services.create_person(
                    actor=request.user,
                    name=data["name"],
                    id_number=data["id_number"],
                    primary_org=org,
                    phone=data["phone"],
                    gender=data["gender"] or None,
                    birth_date=data["birth_date"],
                    ethnicity=data["ethnicity"],
                    political_status=data["political_status"],
                    position=data["position"],
                    rank_level=data["rank_level"],
                    rank_since=data["rank_since"],
                    categories=data["categories"],
                    category_year=form.category_year(),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                for w in warnings:
                    messages.warning(request, w)
                messages.success(request, _("已登记 %(name)s。") % {"name": person.name})
                return redirect("orgs:person", person_id=person.pk)
    elif request.GET.get("org"):
        try:
            picked = get_org(request.user, request.GET["org"])
        except Http404:
            picked = None
    return render(request, "orgs/person_form.html", {"form": form, "title": _("登记人员"), "picked": picked})


@login_required
def person_edit(request, person_id):
    person = get_person(request.user, person_id, write=True)
    year = timezone.localdate().year
    initial = {
        "name": person.name,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "ethnicity": person.ethnicity,
        "political_status": person.political_status,
        "position": person.position,
        "rank_level": person.rank_level,
        "rank_since": person.rank_since,
        "primary_org": person.primary_org_id,
        "categories": Category.objects.filter(people__person=person, people__year=year),
    }
    form = PersonForm(request.POST or None, initial=initial, editing=True)
    picked = person.primary_org
    if request.method == "POST":
        org = _orgs_for_form(request, form)
        picked = org or picked
        if org is not None:
            data = form.cleaned_data
            phone = data["phone"]
            try:
                _person, warnings = services.update_person(
                    actor=request.user,
                    person=person,
                    primary_org=org,
                    id_number=data["id_number"] or None,
                    phone=("" if phone == "-" else phone) if phone else None,
                    name=data["name"],
                    gender=data["gender"] or None,
                    birth_date=data["birth_date"],
                    ethnicity=data["ethnicity"],
                    political_status=data["political_status"],
                    position=data["position"],
                    rank_level=data["rank_level"],
                    rank_since=data["rank_since"],
                    categories=data["categories"],
                    category_year=year,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                for w in warnings:
                    messages.warning(request, w)
                messages.success(request, _("已保存。"))
                return redirect("orgs:person", person_id=person.pk)
    return render(
        request,
        "orgs/person_form.html",
        {"form": form, "title": _("修改人员信息"), "person": person, "picked": picked},
    )


@login_required
@require_POST
def person_membership(request, person_id):
    """Add or remove a secondary organisation of a person (htmx form on the person page)."""
    person = get_person(request.user, person_id, write=True)
    try:
        org = get_org(request.user, request.POST.get("org"))
        if request.POST.get("action") == "remove":
            services.remove_membership(actor=request.user, person=person, org=org)
        else:
            services.add_membership(
                actor=request.user, person=person, org=org, title=request.POST.get("title", "")
            )
    except Http404:
        messages.error(request, _("请从搜索结果中选择您管理范围内的组织。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存。"))
    return redirect("orgs:person", person_id=person.pk)


@login_required
@require_POST
def person_archive(request, person_id):
    person = get_person(request.user, person_id, write=True)
    try:
        services.archive_person(actor=request.user, person=person, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已归档。"))
    return redirect("orgs:person", person_id=person.pk)
