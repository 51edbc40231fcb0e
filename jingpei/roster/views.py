"""Roster pages: upload → column mapping → preview → commit; template; rejected rows; export."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.core import params as typed
from jingpei.core.errors import DomainError
from jingpei.core.filetypes import XLSX
from jingpei.core.permissions import Perm
from jingpei.core.scoping import has_perm_anywhere
from jingpei.orgs.access import get_org
from jingpei.roster import exports, files, services
from jingpei.roster.access import get_export, get_import, own_imports
from jingpei.roster.forms import MappingForm, UploadForm
from jingpei.roster.models import RosterImport


def _require(user, perm: str, message: str) -> None:
    if not has_perm_anywhere(user, perm):
        raise PermissionDenied(message)


@login_required
def home(request):
    _require(request.user, Perm.PERSON_IMPORT, _("您没有导入人员的权限。"))
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                imp = services.start_import(actor=request.user, upload=form.cleaned_data["file"])
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                return redirect("roster:import", imp.pk)
    imports = own_imports(request.user)[:10]
    return render(request, "roster/home.html", {"form": form, "imports": imports})


@login_required
def import_detail(request, import_id: int):
    imp = get_import(request.user, import_id)
    form = None
    if imp.status in (RosterImport.Status.UPLOADED, RosterImport.Status.VALIDATED, RosterImport.Status.FAILED):
        form = MappingForm(roster_import=imp)
    show = "warnings" if request.GET.get("show") == "warnings" else "rejected"
    rows = imp.rows.filter(rejected=(show == "rejected"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    previous = (RosterImport.objects.filter(created_by=request.user, file_sha256=imp.file_sha256,
                                            status=RosterImport.Status.COMMITTED).exclude(pk=imp.pk).first())
    return render(request, "roster/import.html", {
        "imp": imp, "form": form, "page": page, "show": show, "previous": previous,
        "job": imp.commit_job if imp.status == RosterImport.Status.COMMITTING else imp.validate_job,
    })


@login_required
@require_POST
def import_mapping(request, import_id: int):
    imp = get_import(request.user, import_id)
    form = MappingForm(request.POST, roster_import=imp)
    if form.is_valid():
        try:
            services.configure_import(actor=request.user, roster_import=imp, mapping=form.mapping(),
                                      on_duplicate=form.cleaned_data["on_duplicate"],
                                      category_year=form.cleaned_data["category_year"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("roster:import", imp.pk)
    page = Paginator(imp.rows.none(), 50).get_page(1)
    return render(request, "roster/import.html", {"imp": imp, "form": form, "page": page, "show": "rejected"},
                  status=400)


@login_required
@require_POST
def import_commit(request, import_id: int):
    imp = get_import(request.user, import_id)
    try:
        services.request_commit(actor=request.user, roster_import=imp)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("roster:import", imp.pk)


@login_required
def import_rejected(request, import_id: int):
    imp = get_import(request.user, import_id)
    path = files.write_rejected(imp)
    name = f"{Path(imp.filename).stem}-未导入的行.xlsx"
    return _send(path, name)


@login_required
def template(request):
    _require(request.user, Perm.PERSON_IMPORT, _("您没有导入人员的权限。"))
    return _send(files.write_template(), "人员花名册导入模板.xlsx")


def _send(path: Path, filename: str) -> FileResponse:
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the data until the response is sent (POSIX)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


def _export_filters(request) -> dict:
    """The /people/ list's own GET parameters: q, org, category, year (the confirm form posts back
    to the same query string)."""
    params = request.GET
    org = get_org(request.user, params["org"]) if params.get("org") else None

    return {"query": (params.get("q") or "").strip(), "org": org, "category_id": typed.number(params.get("category")),
            "year": typed.number(params.get("year"))}


@login_required
def export(request):
    _require(request.user, Perm.PERSON_EXPORT, _("您没有导出人员名单的权限。"))
    filters = _export_filters(request)
    if request.method == "POST":
        job = services.start_export(actor=request.user, **filters).job
        return redirect("job", job.pk)
    try:
        count = exports.export_queryset(request.user, **filters).count()
    except ValueError as exc:  # a search the list itself refuses (e.g. 5 digits of an ID number)
        count, error = 0, str(exc)
    else:
        error = ""
    return render(request, "roster/export.html", {
        "filters": filters, "count": count, "error": error, "params": request.GET.urlencode(),
        "reveal": has_perm_anywhere(request.user, Perm.PERSON_VIEW_SENSITIVE),
        "year": filters["year"] or timezone.localdate().year,
    })


@login_required
def export_download(request, export_id: int):
    item = get_export(request.user, export_id)
    if not item.stored_name:
        raise Http404
    path = services.storage_dir("exports") / item.stored_name
    if not path.exists():
        raise Http404
    name = f"人员名单-{timezone.localtime(item.created_at):%Y%m%d-%H%M}.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=XLSX)
