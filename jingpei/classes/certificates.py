"""PDF documents of a class: the completion certificate (结业证书) and the paper sign-in sheet (签到表).

reportlab with a TrueType CJK font (WenQuanYi Zen Hei, Debian ``fonts-wqy-zenhei``) embedded as a
subset, so the PDF shows the same glyphs on any machine; the QR code is drawn as vectors by segno.
"""

from __future__ import annotations

import io

import segno
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from jingpei.core.links import absolute
from jingpei.core.pdf_fonts import cjk_font


def mask_name(name: str) -> str:
    """王小明 → 王*明, 李芳 → 李*: enough for a verifier to match the paper, not enough to harvest."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verification_url(serial: str, base_url: str = "") -> str:
    """The public verification address; ``PUBLIC_BASE_URL`` (environment) wins over the address the
    request came in by, so certificates issued from an intranet host name still verify from outside."""
    return absolute(f"/verify/{serial}/", base_url)


def _draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m")
    matrix = list(qr.matrix_iter(border=0))
    n = len(matrix)
    cell = size / n
    c.setFillColor(colors.black)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                c.rect(x + col * cell, y + size - (row + 1) * cell, cell, cell, stroke=0, fill=1)


def render_certificate(cert) -> ContentFile:
    font = cjk_font()
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setTitle(f"{_('结业证书')} {cert.serial}")
    c.setStrokeColor(colors.HexColor("#b22222"))
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setFont(font, 34)
    c.setFillColor(colors.HexColor("#b22222"))
    c.drawCentredString(width / 2, height - 45 * mm, _("结业证书"))
    c.setFillColor(colors.black)
    c.setFont(font, 16)
    body = _("%(name)s 同志于 %(a)s 至 %(b)s 参加“%(title)s”学习，完成规定课程 %(h)s 学时，准予结业。") % {
        "name": cert.person_name, "a": cert.start_date.strftime("%Y年%m月%d日"),
        "b": cert.end_date.strftime("%Y年%m月%d日"), "title": cert.class_title, "h": cert.hours}
    y = height - 75 * mm
    line, lines = "", []
    for ch in body:  # wrap by width: CJK text breaks anywhere
        if pdfmetrics.stringWidth(line + ch, font, 16) > width - 70 * mm:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    for text in lines:
        c.drawString(35 * mm, y, text)
        y -= 10 * mm
    c.setFont(font, 14)
    c.drawRightString(width - 35 * mm, 50 * mm, cert.issuer)
    c.drawRightString(width - 35 * mm, 42 * mm, timezone.localtime(cert.issued_at).strftime("%Y年%m月%d日"))
    c.setFont(font, 10)
    c.drawString(35 * mm, 30 * mm, _("证书编号：%(s)s") % {"s": cert.serial})
    url = getattr(cert, "verify_url", "") or verification_url(cert.serial)
    c.drawString(35 * mm, 24 * mm, _("扫描右侧二维码或访问 %(u)s 核验") % {"u": url})
    _draw_qr(c, url, width - 70 * mm, 60 * mm, 32 * mm)
    c.showPage()
    c.save()
    return ContentFile(buf.getvalue())


def render_sign_in_sheet(session, rows: list[dict]) -> bytes:
    """签到表 for ``session``: one row per approved trainee, with a blank column to sign."""
    font = cjk_font()
    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    klass = session.klass
    c.setTitle(f"{_('签到表')} {klass.title}")
    start = timezone.localtime(session.starts_at)
    per_page = 25
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    for page_no, chunk in enumerate(pages, start=1):
        c.setFont(font, 16)
        c.drawCentredString(width / 2, height - 20 * mm, f"{klass.title} · {_('签到表')}")
        c.setFont(font, 10)
        c.drawString(15 * mm, height - 30 * mm, _("课次：%(s)s　时间：%(t)s　地点：%(p)s") % {
            "s": session.subject, "t": start.strftime("%Y-%m-%d %H:%M"), "p": session.place or klass.place})
        c.drawRightString(width - 15 * mm, height - 30 * mm, f"{page_no}/{len(pages)}")
        columns = [15, 30, 65, 135, 195]
        headers = [_("序号"), _("姓名"), _("单位"), _("签名"), ""]
        y = height - 40 * mm
        c.setFont(font, 11)
        for x, text in zip(columns, headers, strict=True):
            c.drawString(x * mm + 2, y + 2 * mm, text)
        c.line(15 * mm, y, 195 * mm, y)
        for i, row in enumerate(chunk, start=(page_no - 1) * per_page + 1):
            y -= 9 * mm
            c.drawString(columns[0] * mm + 2, y + 3 * mm, str(i))
            c.drawString(columns[1] * mm + 2, y + 3 * mm, row["name"])
            c.drawString(columns[2] * mm + 2, y + 3 * mm, row["org"][:20])
            c.line(15 * mm, y, 195 * mm, y)
        for x in columns:
            c.line(x * mm, height - 40 * mm + 8 * mm, x * mm, y)
        c.line(15 * mm, height - 32 * mm, 195 * mm, height - 32 * mm)
        c.setFont(font, 9)
        c.drawString(15 * mm, 15 * mm, _("班主任签字：______________　　（本表可作经费报销凭证）"))
        c.showPage()
    c.save()
    return buf.getvalue()
