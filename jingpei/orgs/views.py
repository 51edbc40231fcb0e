"""Pages for the organisation tree. Thin: parse → access → service or query → respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.core.errors import DomainError
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs import queries, services
from jingpei.orgs.access import get_org
from jingpei.orgs.forms import MoveForm, OrgForm


def _can_manage(user, org) -> bool:
    return scope_for(user, Perm.ORG_MANAGE).covers(org.path)


@login_required
def tree(request):
    if scope_for(request.user, Perm.ORG_VIEW).empty:
        raise Http404
    return render(request, "orgs/tree.html", {"rows": queries.tree_rows(request.user, None)})


@login_required
def children(request, org_id):
    org = get_org(request.user, org_id)
    return render(request, "orgs/_tree_rows.html", {"rows": queries.tree_rows(request.user, org)})


@login_required
def search(request):
    """Search by name, full pinyin or initials. ``picker`` mode returns pickable items for forms;
    ``perm`` narrows to organisations the user may act on for that permission."""
    perm = request.GET.get("perm") or Perm.ORG_VIEW
    if perm not in vars(Perm).values():
        perm = Perm.ORG_VIEW
    results = queries.search_orgs(request.user, request.GET.get("q", ""), perm=perm)
    template = "orgs/_picker_results.html" if request.GET.get("picker") else "orgs/_search_results.html"
    return render(request, template, {"results": results, "q": request.GET.get("q", "")})


@login_required
def detail(request, org_id):
    org = get_org(request.user, org_id)
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": queries.ancestors(org, request.user),
            "rows": queries.tree_rows(request.user, org, include_archived=True),
            "people_count": queries.subtree_people_counts(
                len(org.path), queries.Q(org__path__startswith=org.path)
            ).get(org.path, 0),
            "can_manage": _can_manage(request.user, org),
        "can_see_people": scope_for(request.user, Perm.PERSON_VIEW).covers(org.path),
        },
    )


@login_required
def create(request, org_id):
    parent = get_org(request.user, org_id, write=True)
    form = OrgForm(request.POST or None, initial={"kind": _default_child_kind(parent.kind)})
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_org(actor=request.user, parent=parent, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已新建组织“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", org_id=parent.pk)
    return render(request, "orgs/form.html", {"form": form, "org": parent, "title": _("新建下级组织")})


def _default_child_kind(kind: str) -> str:
    return {
        "district": "township",
        "township": "village",
        "village": "branch",
        "enterprise": "unit",
        "unit": "branch",
    }.get(kind, "branch")


@login_required
def edit(request, org_id):
    org = get_org(request.user, org_id, write=True)
    form = OrgForm(request.POST or None, initial={"name": org.name, "kind": org.kind})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_org(actor=request.user, org=org, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", org_id=org.pk)
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": _("修改组织")})


@login_required
def move(request, org_id):
    org = get_org(request.user, org_id, write=True)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = get_org(request.user, form.cleaned_data["new_parent"], write=True)
            services.move_org(actor=request.user, org=org, new_parent=target)
        except Http404:
            form.add_error("new_parent", _("请从搜索结果中选择您管理范围内的组织。"))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("已将“%(name)s”及其下级移动到“%(to)s”。") % {"name": org.name, "to": target.name}
            )
            return redirect("orgs:detail", org_id=org.pk)
    return render(request, "orgs/move.html", {"form": form, "org": org})


@login_required
@require_POST
def archive(request, org_id):
    org = get_org(request.user, org_id, write=True)
    action = request.POST.get("action", "archive")
    try:
        if action == "restore":
            services.restore_org(actor=request.user, org=org)
            messages.success(request, _("已恢复。"))
        elif action == "delete":
            parent = org.parent()
            services.delete_org(actor=request.user, org=org)
            messages.success(request, _("已删除。"))
            return redirect("orgs:detail", org_id=parent.pk) if parent else redirect("orgs:tree")
        else:
            services.archive_org(actor=request.user, org=org)
            messages.success(request, _("已归档；历史记录保留。"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("orgs:detail", org_id=org.pk)
