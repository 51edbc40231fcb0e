"""The list handed out after opening accounts in bulk: who logs in with which name and one-time code."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jingpei.accounts.services import Opened
from jingpei.core.sheets import text_row


def activation_workbook(opened: list[Opened], *, org_name: str, login_url: str) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = _("开通账号")
    expires = opened[0].user.activation_expires if opened else None
    sheet.append(text_row(sheet, [_("%(org)s：学员账号与激活码（请分发到本人，勿外传）") % {"org": org_name}]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(text_row(sheet, [_("登录网址 %(u)s：用户名（或本人手机号）+ 激活码登录，首次登录须设置新密码。激活码 %(d)s 前有效。") % {
        "u": login_url, "d": timezone.localtime(expires).strftime("%Y-%m-%d") if expires else "—"}]))
    sheet.append([_("序号"), _("姓名"), _("所在组织"), _("用户名"), _("激活码")])
    for n, o in enumerate(opened, start=1):
        sheet.append(text_row(sheet, [n, o.person.name, o.person.primary_org.name if o.person.primary_org_id else "",
                                      o.user.username, o.code]))
    for column, width in zip("ABCDE", (6, 10, 24, 20, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
