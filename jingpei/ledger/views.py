"""Pages of the ledger: parse → access → service or query → respond."""

from __future__ import annotations

import functools
import io
import json
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.core import params
from jingpei.core.charts import stacked_months
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.filetypes import XLSX
from jingpei.core.jobs import enqueue
from jingpei.core.lookups import id_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.core.templatetags.jingpei import query_with
from jingpei.core.views import job_file
from jingpei.ledger import access, compliance, dated, imports, lists, records, services, standing
from jingpei.ledger.forms import ConversionForm, ExemptionForm, ImportForm, ReverseForm, RuleForm
from jingpei.ledger.models import ConversionRule, LedgerEntry, Notification, TrainingForm
from jingpei.ledger.rules import STATUS_LABELS, Status
from jingpei.orgs.access import trail
from jingpei.orgs.models import Category, Organization


def login_required(view):
    """Django's login_required, and a read-only refusal from ``access`` (NotAllowed) answered 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None

    return django_login_required(wrapper)


def _year(request) -> int:
    return params.year(request.GET.get("year")) or compliance.today().year


def _as_of(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return compliance.today()


@login_required
def index(request):
    roots = access.ledger_roots(request.user)
    if roots:
        return redirect("ledger:org", roots[0].pk)
    if request.user.person_id:
        return redirect("ledger:person", request.user.person_id)
    raise Http404


@login_required
def me(request):
    if not request.user.person_id:
        raise Http404
    return redirect("ledger:person", request.user.person_id)


# --- a person -------------------------------------------------------------------------------------
def person_ledger_context(request, person, *, year: int) -> dict:
    """What ``ledger/_person_ledger.html`` needs (also for the person page of ``orgs``)."""
    entries = (LedgerEntry.objects.filter(person=person).select_related("reverses", "recorded_by")
               .order_by("-occurred_on", "-id"))
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    reversed_ids = set(LedgerEntry.objects.filter(reverses__in=[e.pk for e in page]).values_list("reverses_id", flat=True))
    return {
        "person": person, "year": year, "page": page, "reversed_ids": reversed_ids,
        "can_correct": access.can_manage_ledger(request.user, person), "reverse_form": ReverseForm(),
    }


@login_required
def person(request, person_id):
    person = access.get_ledger_person(request.user, person_id)
    year = _year(request)
    months = compliance.monthly_hours(person, year)
    chart = stacked_months(months, TrainingForm.choices)
    context = person_ledger_context(request, person, year=year)
    can_exempt = context["can_correct"]
    record = records.training_record(person, year)  # its compliance is the page's, as of the same day
    context.update({
        "results": record.compliance, "record": record, "chart_json": json.dumps(chart, ensure_ascii=False),
        "years": range(compliance.today().year, compliance.today().year - 6, -1),
        "exemptions": person.ledger_exemptions.select_related("rule", "approved_by").all(),
        "exemption_form": ExemptionForm(rules=access.visible_rules(request.user)) if can_exempt else None,
    })
    return render(request, "ledger/person.html", context)


@login_required
def person_section(request, person_id):
    """The entries-and-corrections section alone, for other pages to include with htmx."""
    person = access.get_ledger_person(request.user, person_id)
    return render(request, "ledger/_person_ledger.html", person_ledger_context(request, person, year=_year(request)))


@login_required
@require_POST
def reverse_entry(request, entry_id):
    entry = access.get_entry(request.user, entry_id, write=True)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.correct_entry(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
            messages.success(request, _("已更正：新增了一条冲销记录。"))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("更正须填写原因。"))
    return redirect("ledger:person", entry.person_id)


@login_required
@require_POST
def exemption_new(request, person_id):
    person = access.get_ledger_person(request.user, person_id, write=True)
    form = ExemptionForm(request.POST, rules=access.visible_rules(request.user))
    if form.is_valid():
        try:
            services.grant_exemption(actor=request.user, person=person, **form.cleaned_data)
            messages.success(request, _("已登记豁免。"))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" if f in form.fields else e[0]
                                         for f, e in form.errors.items()))
    return redirect("ledger:person", person.pk)


@login_required
def record_pdf(request, person_id):
    person = access.get_ledger_person(request.user, person_id)
    year = _year(request)
    pdf = records.record_pdf(records.training_record(person, year))
    return HttpResponse(pdf, content_type="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=\"record-{person.pk}-{year}.pdf\""})


@login_required
def record_xlsx(request, person_id):
    person = access.get_ledger_person(request.user, person_id)
    year = _year(request)
    return HttpResponse(records.record_xlsx(records.training_record(person, year)), content_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"record-{person.pk}-{year}.xlsx\""})


# --- a subtree ------------------------------------------------------------------------------------
@login_required
def org(request, org_id):
    root = access.get_subtree(request.user, org_id)
    visible = access.visible_rules(request.user).filter(active=True)
    # No date, or the materialised one (the links of a materialised page carry its date): the materialised
    # figures; another date: the exact path, as a background job for a large subtree (POST: 重新计算).
    explicit = _as_of(request) if "as_of" in request.GET else None
    figures = dated.figures(request.user, root, visible, as_of=explicit, recompute=request.method == "POST")
    if figures.waiting:
        return redirect("job", figures.waiting.pk)
    as_of, summaries = figures.as_of, figures.summaries
    child_paths = {p for s in summaries for p in s.by_child}
    children = {o.path: o for o in Organization.objects.filter(path__in=child_paths)}
    categories = {c.pk: c for c in Category.objects.all()}
    rows = []
    for s in summaries:
        rows.append({
            "summary": s,
            "children": sorted(((children.get(p), c) for p, c in s.by_child.items()), key=lambda x: x[0].path if x[0] else ""),
            "categories": sorted(((categories.get(k), c) for k, c in s.by_category.items()), key=lambda x: x[0].sort_order if x[0] else 0),
        })
    return render(request, "ledger/org.html", {
        "root": root, "as_of": as_of, "rows": rows, "ancestors": trail(request.user, root, Perm.LEDGER_VIEW),
        "materialised": figures.materialised, "computed": figures.computed, "rebuilding": figures.rebuilding,
        "last_year_end": date(compliance.today().year - 1, 12, 31),
    })


@login_required
def org_rule(request, org_id, rule_id):
    """Drill-down: the people of the subtree under one rule, filtered by status, child and category."""
    root = access.get_subtree(request.user, org_id)
    rule = access.get_rule(request.user, rule_id)
    as_of = _as_of(request)
    child = request.GET.get("child") or None
    if child and not child.startswith(root.path):
        raise Http404
    category = request.GET.get("category") or None
    status = request.GET.get("status", "lagging")
    statuses = {Status.BEHIND, Status.WILL_MISS, Status.MISSED} if status == "lagging" else (
        {status} if status in STATUS_LABELS else None)
    category_id = params.number(category)
    sort = request.GET.get("sort", "gap")
    if sort not in standing.FACT_ORDERS:
        sort = "gap"
    # The materialised facts when they answer for the date asked (the summary's own figures, read a page
    # at a time); another date takes the exact path, which evaluates the subtree's people for that date:
    # on the request for a subtree of up to LEDGER_INLINE_PEOPLE people, else only as an export job.
    explicit = as_of if "as_of" in request.GET else None
    wanted = {"child_path": child, "category_id": category_id, "statuses": statuses, "order": sort}
    results = standing.fact_listing(root, rule, as_of=explicit, **wanted)
    too_large = results is None and dated.needs_job(child or root.path)
    if results is None and not too_large:
        results = standing.listing_at(root, rule, as_of, **wanted)
    if results is not None:
        as_of = results.as_of
    if request.GET.get("format") == "xlsx":
        if too_large or results.count() > settings.LEDGER_INLINE_PEOPLE:
            if request.method != "POST":  # a long list's file is a job, started by the page's button
                return redirect(f"{request.path}?{query_with({'request': request}, format=None)}")
            job = lists.start(request.user, root, rule, as_of=explicit, child=child, category_id=category_id,
                              statuses=statuses, order=sort)
            return redirect("job", job.pk)
        out = io.BytesIO()
        lists.write(results, out)
        return HttpResponse(out.getvalue(), content_type=XLSX, headers={
            "Content-Disposition": f"attachment; filename=\"compliance-{root.pk}-{rule.pk}.xlsx\""})
    page = Paginator(results, 50).get_page(request.GET.get("page")) if results is not None else None
    background = too_large or (results is not None and results.count() > settings.LEDGER_INLINE_PEOPLE)
    return render(request, "ledger/org_rule.html", {
        "root": root, "rule": rule, "as_of": as_of, "page": page, "status": status, "sort": sort,
        "statuses": [("lagging", _("落后（含将无法达标、未达标）"))] + [(k, str(v)) for k, v in STATUS_LABELS.items()],
        "child": child, "category": category, "too_large": too_large, "background_export": background,
        "inline_limit": settings.LEDGER_INLINE_PEOPLE,
    })


@login_required
def people_list(request, job_id):
    """The file of a drill-down export job, to its owner."""
    return job_file(request, job_id, name=lists.JOB, path_of=lists.path_of, content_type=XLSX,
                    filename=lambda job: f"compliance-{job.params['root_id']}.xlsx")


@login_required
@require_POST
def org_records(request, org_id):
    root = access.get_subtree(request.user, org_id)
    raw = (request.POST.get("year") or request.GET.get("year") or str(compliance.today().year)).strip()
    year = params.year(raw)
    if year is None:
        messages.error(request, _("年度“%(y)s”无效，请填写 2000 到 2100 之间的年份，如 %(now)s。")
                       % {"y": raw[:20], "now": compliance.today().year})
        return redirect("ledger:org", root.pk)
    job = enqueue("ledger.records_archive", user=request.user, reuse=True,
                  title=_("%(org)s %(y)s 年培训档案") % {"org": root.name, "y": year},
                  org_id=root.pk, year=year, user_id=request.user.pk)
    return redirect("job", job.pk)


@login_required
def archive(request, job_id):
    return job_file(request, job_id, name="ledger.records_archive", path_of=records.archive_path,
                    filename=lambda job: f"records-{job.params.get('year')}.zip")


# --- rules ----------------------------------------------------------------------------------------
@login_required
def rules(request):
    visible = access.visible_rules(request.user).prefetch_related("categories")
    if scope_for(request.user, Perm.LEDGER_VIEW).empty and not access.can_manage_rule(request.user, None):
        raise Http404
    labels = dict(TrainingForm.choices)
    items = [(r, access.can_manage_rule(request.user, r), "、".join(str(labels.get(f, f)) for f in r.forms))
             for r in visible]
    can_convert = access.can_manage_rule(request.user, None)  # conversion rules are global
    conversions = ConversionRule.objects.all() if can_convert else ConversionRule.objects.filter(active=True)
    return render(request, "ledger/rules.html", {"items": items, "can_create": can_convert, "can_convert": can_convert,
                                                 "conversions": conversions})


@login_required
@require_POST
def rule_switch(request, rule_id):
    rule = access.get_rule(request.user, rule_id, write=True)
    services.switch_rule(actor=request.user, rule=rule, active=request.POST.get("active") == "1")
    messages.success(request, _("已启用：%(r)s") % {"r": rule.name} if rule.active else _("已停用：%(r)s") % {"r": rule.name})
    return redirect("ledger:rules")


@login_required
def rule_edit(request, rule_id=None):
    rule = access.get_rule(request.user, rule_id, write=True) if rule_id else None
    if rule is None and not access.can_manage_rule(request.user, None):
        raise PermissionDenied
    # Organisations a rule may be limited to: the top three levels of the manager's scope (a rule for
    # a single branch is not a thing offices do; the select stays short).
    scope = scope_for(request.user, Perm.RULES_MANAGE)
    orgs = Organization.objects.filter(scope.q("path"), depth__lte=3, archived_at__isnull=True).order_by("path")
    form = RuleForm(request.POST or None, orgs=orgs,
                    initial=RuleForm.initial_for(rule) if rule else {"active": True, "prorate": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        categories = data.pop("categories")
        try:
            services.save_rule(actor=request.user, rule=rule, categories=categories, **data)
            messages.success(request, _("规则已保存。"))
            return redirect("ledger:rules")
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(request, "ledger/rule_form.html", {"form": form, "rule": rule})


@login_required
def conversion_edit(request, conversion_id=None):
    if not access.can_manage_rule(request.user, None):
        raise PermissionDenied
    conversion = get_object_or_404(ConversionRule, pk=id_or_404(conversion_id)) if conversion_id else None
    form = ConversionForm(request.POST or None, initial=ConversionForm.initial_for(conversion) if conversion else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_conversion(actor=request.user, conversion=conversion, **form.cleaned_data)
            messages.success(request, _("折算规则已保存，今后记入的学时按新规则折算。"))
            return redirect("ledger:rules")
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(request, "ledger/conversion_form.html", {"form": form, "conversion": conversion})


# --- import ---------------------------------------------------------------------------------------
def _import_roots(user):
    scope = scope_for(user, Perm.LEDGER_MANAGE)
    if scope.empty:
        raise Http404
    return list(Organization.objects.filter(path__in=scope.prefixes).order_by("path"))


@login_required
def import_upload(request):
    roots = _import_roots(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, orgs=roots)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        target = next(o for o in roots if str(o.pk) == form.cleaned_data["org"])
        try:
            batch = imports.preview_import(actor=request.user, org=target, platform=form.cleaned_data["platform"],
                                           filename=upload.name, content=upload.read())
            return redirect("ledger:import", batch.pk)
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(request, "ledger/import_upload.html", {"form": form})


IMPORT_ROWS_PER_PAGE, IMPORT_ERRORS_SHOWN = 100, 500


@login_required
def import_preview(request, batch_id):
    batch = access.get_import(request.user, batch_id)
    if request.method == "POST":
        try:
            batch = imports.apply_import(actor=request.user, batch=batch)
            messages.success(request, _("导入完成：新增 %(c)s 条，已存在 %(d)s 条。") % {"c": batch.created, "d": batch.duplicates})
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("ledger:import", batch.pk)
    # A file may hold 20,000 rows: the page lists them 100 at a time, and the first errors (a file with
    # hundreds has one mistake repeated: a wrong column, a wrong date format).
    exists = sum(1 for r in batch.rows if r["exists"])
    repeats = sum(1 for r in batch.rows if r["repeat"] and not r["exists"])
    return render(request, "ledger/import_preview.html", {
        "batch": batch, "new": len(batch.rows) - exists - repeats, "exists": exists, "repeats": repeats,
        "page": Paginator(batch.rows, IMPORT_ROWS_PER_PAGE).get_page(request.GET.get("page")),
        "errors": batch.errors[:IMPORT_ERRORS_SHOWN],
    })


@login_required
def notifications(request):
    page = Paginator(Notification.objects.filter(user=request.user), 20).get_page(request.GET.get("page"))
    services.mark_read(user=request.user, ids=[n.pk for n in page if n.read_at is None])
    return render(request, "ledger/notifications.html", {"page": page})
