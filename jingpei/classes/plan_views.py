"""Annual plans and the lecturer pool (the training officer's pages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jingpei.classes import access, forms, queries, services
from jingpei.classes.views import forbid_not_allowed
from jingpei.core.errors import DomainError
from jingpei.core.permissions import Perm
from jingpei.core.scoping import has_perm_anywhere
from jingpei.funds import access as funds_access
from jingpei.funds import queries as funds_queries
from jingpei.orgs.access import visible_orgs
from jingpei.orgs.models import Category
from jingpei.surveys import access as survey_access
from jingpei.surveys import queries as survey_queries
from jingpei.surveys.queries import lecturer_scores, overall


def _require_officer(user) -> None:
    if not has_perm_anywhere(user, Perm.CLASS_MANAGE):
        raise PermissionDenied


@login_required
@forbid_not_allowed
def plan_list(request):
    _require_officer(request.user)
    form = forms.PlanForm(request.POST or None, orgs=visible_orgs(request.user, Perm.CLASS_MANAGE).order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("年度计划已创建。"))
            return redirect("classes:plan", plan_id=plan.pk)
    plans = access.visible_plans(request.user).select_related("org")
    return render(request, "classes/plans.html", {
        "rows": [{"plan": p, "progress": queries.plan_progress(p)} for p in plans], "form": form})


@login_required
@forbid_not_allowed
def plan_detail(request, plan_id):
    plan = access.get_plan(request.user, plan_id)
    form = forms.TargetForm(request.POST or None, categories=Category.objects.filter(active=True))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_plan_target(actor=request.user, plan=plan, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("目标已保存。"))
            return redirect("classes:plan", plan_id=plan.pk)
    # the plan's money (年初有计划，预算有安排), where the user may see funds
    budgets = funds_queries.figures(list(funds_access.visible_budgets(request.user).filter(plan=plan).order_by("pk")))
    # and what the year's needs survey found (its findings decide the classes), where the user runs surveys
    findings = survey_queries.plan_findings(
        survey_access.visible_surveys(request.user).filter(year=plan.year, org__path__startswith=plan.org.path),
        survey_access.visible_notes(request.user).filter(year=plan.year, org__path__startswith=plan.org.path))
    return render(request, "classes/plan.html", {"plan": plan, "progress": queries.plan_progress(plan),
                                                 "form": form, "budgets": budgets, "findings": findings})


@login_required
@forbid_not_allowed
def lecturer_list(request):
    _require_officer(request.user)
    form = forms.LecturerForm(request.POST or None,
                              orgs=visible_orgs(request.user, Perm.CLASS_MANAGE).order_by("path"))
    if request.method == "POST" and form.is_valid():
        try:
            services.create_lecturer(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已加入师资库。"))
            return redirect("classes:lecturers")
    return render(request, "classes/lecturers.html", {
        "lecturers": access.visible_lecturers(request.user).prefetch_related("sessions__klass"), "form": form})


@login_required
def lecturer_detail(request, lecturer_id):
    lecturer = access.get_lecturer(request.user, lecturer_id)
    scores = lecturer_scores(lecturer)
    return render(request, "classes/lecturer.html", {
        "lecturer": lecturer, "sessions": lecturer.sessions.select_related("klass").order_by("-starts_at"),
        "scores": scores, "overall": overall(scores)})
