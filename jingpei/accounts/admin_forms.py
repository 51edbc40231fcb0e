from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jingpei.accounts.forms import PASSWORD_RULES
from jingpei.core.forms import StyledForm
from jingpei.core.permissions import Role
from jingpei.orgs.forms import OrgPickField


class GrantForm(StyledForm):
    username = forms.CharField(label=_("账号（用户名）"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    org = OrgPickField(label=_("授权范围（组织及其全部下级）"))


# An administrator's page with a password field: "new-password" keeps the browser from filling in the
# administrator's own saved login (a new account, or a reset, would get the administrator's password).
class AccountForm(StyledForm):
    username = forms.CharField(label=_("用户名"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    person_id = forms.IntegerField(
        label=_("对应人员编号"),
        required=False,
        help_text=_("在人员页面的地址中可以看到编号；管理员账号可不填。"),
    )
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=format_lazy("{} {}", _("首次登录后须修改。"), PASSWORD_RULES)
    )


class OpenAccountsForm(StyledForm):
    org = OrgPickField(label=_("开通范围（组织及其全部下级）"))
    reissue = forms.BooleanField(label=_("同时为已开通但从未登录的账号重发激活码（原激活码作废）"), required=False)


class ResetPasswordForm(StyledForm):
    password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=format_lazy("{} {}", _("用户下次登录须修改。"), PASSWORD_RULES)
    )


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False)
    actor = forms.CharField(required=False)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)
