"""Pages of the three administrators: accounts (system), grants (security), audit trail (audit)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jingpei.accounts import services
from jingpei.accounts.access import get_account, get_grant, visible_accounts, visible_audit, visible_grants
from jingpei.accounts.admin_forms import (
    AccountForm,
    AuditFilterForm,
    GrantForm,
    OpenAccountsForm,
    ResetPasswordForm,
)
from jingpei.accounts.exports import activation_workbook
from jingpei.accounts.models import User
from jingpei.core import audit_labels
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.filetypes import XLSX
from jingpei.core.links import absolute
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.access import get_org
from jingpei.orgs.models import Person


def _require(user, perm):
    if scope_for(user, perm).empty:
        raise Http404


@login_required
def grants(request):
    _require(request.user, Perm.GRANT_MANAGE)
    form = GrantForm(request.POST or None)
    picked = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = get_org(request.user, data["org"])
            picked = org
            target = User.objects.filter(username=data["username"].strip()).first()
            if target is None:
                raise DomainError(
                    _("没有用户名为“%(u)s”的账号。") % {"u": data["username"]}, field="username"
                )
            services.grant_role(actor=request.user, user=target, role=data["role"], org=org)
        except Http404:
            form.add_error("org", _("请从搜索结果中选择您管理范围内的组织。"))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已授权。"))
            return redirect("accounts:grants")
    qs = visible_grants(request.user).active().select_related("user", "user__person", "org", "granted_by")
    page = Paginator(qs.order_by("org__path", "role"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/grants.html", {"form": form, "page": page, "picked": picked})


@login_required
@require_POST
def revoke(request, grant_id):
    grant = get_grant(request.user, grant_id)
    try:
        services.revoke_grant(actor=request.user, grant=grant)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销授权。"))
    return redirect("accounts:grants")


@login_required
def accounts(request):
    _require(request.user, Perm.ACCOUNT_MANAGE)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = Person.objects.filter(pk=data["person_id"]).first() if data["person_id"] else None
        try:
            if data["person_id"] and person is None:
                raise DomainError(_("人员编号不存在。"), field="person_id")
            services.create_user(
                actor=request.user, username=data["username"], password=data["password"], person=person
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已创建账号，首次登录须修改密码。"))
            return redirect("accounts:accounts")
    q = request.GET.get("q", "").strip()
    qs = visible_accounts(request.user).select_related("person")
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(person__name__contains=q)
    page = Paginator(qs.order_by("username"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/accounts.html", {"form": form, "page": page, "q": q})


@login_required
def open_accounts(request):
    """Open the accounts of a subtree's people in one go; the answer to the POST is the list of login names
    and one-time codes, as an Excel file (the only time the codes are shown)."""
    _require(request.user, Perm.ACCOUNT_MANAGE)
    form = OpenAccountsForm(request.POST or request.GET or None)
    org = outlook = None
    if form.is_bound and form.is_valid():
        try:
            org = get_org(request.user, form.cleaned_data["org"])
            if request.method != "POST":
                outlook = services.opening_outlook(actor=request.user, org=org)
            else:
                opened = services.open_accounts(actor=request.user, org=org, reissue=form.cleaned_data["reissue"])
                if not opened:
                    messages.info(request, _("“%(o)s”范围内没有需要开通账号或重发激活码的人员。") % {"o": org.name})
                    return redirect(f"{reverse('accounts:open')}?org={org.pk}")
                body = activation_workbook(opened, org_name=org.name,
                                           login_url=absolute(reverse("accounts:login"), request.build_absolute_uri("/")))
                name = f"{_('开通账号')}-{org.name}-{timezone.localdate():%Y%m%d}.xlsx"
                return FileResponse(io.BytesIO(body), as_attachment=True, filename=name, content_type=XLSX)
        except Http404:
            form.add_error("org", _("请从搜索结果中选择您管理范围内的组织。"))
        except DomainError as exc:
            form.add_domain_error(exc)
            if org is not None and request.method == "POST" and not isinstance(exc, NotAllowed):
                outlook = services.opening_outlook(actor=request.user, org=org)  # the counts again, beside the error
    return render(request, "accounts/open.html", {"form": form, "picked": org, "outlook": outlook})


@login_required
def account(request, account_id):
    target = get_account(request.user, account_id)
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") in ("activate", "deactivate"):
                services.set_active(
                    actor=request.user, user=target, active=request.POST["action"] == "activate"
                )
                messages.success(request, _("已保存。"))
                return redirect("accounts:account", account_id=target.pk)
            if form.is_valid():
                services.reset_password(
                    actor=request.user, user=target, new_password=form.cleaned_data["password"]
                )
                messages.success(request, _("已重置密码。"))
                return redirect("accounts:account", account_id=target.pk)
        except DomainError as exc:
            form.add_domain_error(exc)
    return render(
        request,
        "accounts/account.html",
        {"target": target, "form": form, "grants": target.grants.active().select_related("org")},
    )


@login_required
def audit_log(request):
    _require(request.user, Perm.AUDIT_VIEW)
    filters = AuditFilterForm(request.GET)
    filters.is_valid()
    data = filters.cleaned_data
    qs = visible_audit(request.user)
    if data.get("action"):
        qs = qs.filter(action__startswith=data["action"])
    if data.get("actor"):
        qs = qs.filter(actor_name=data["actor"])
    if data.get("since"):
        qs = qs.filter(at__date__gte=data["since"])
    if data.get("until"):
        qs = qs.filter(at__date__lte=data["until"])
    page = Paginator(qs.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    areas = audit_labels.area_choices()
    chosen = data.get("action") or ""
    return render(request, "accounts/audit.html", {
        "page": page, "filters": data, "areas": areas,
        "rows": [(entry, audit_labels.label(entry.action), audit_labels.changes(entry.object_type, entry.before),
                  audit_labels.changes(entry.object_type, entry.after)) for entry in page.object_list],
        "other_action": chosen if chosen and chosen not in dict(areas) else "",
    })
