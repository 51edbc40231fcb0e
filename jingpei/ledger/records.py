"""The training record (培训档案) of a person for a year: hours by form, the classes and courses behind
them, corrections, and the sections other capabilities keep (``classes``: certificates and reflection
notes, registered with :func:`record_section`); as data for the page, as a PDF with the CJK font
embedded, and as Excel. A whole subtree's records are zipped by a background job.

reportlab embeds TrueType outlines only (not the CFF outlines of Noto CJK OTF/TTC), so the PDF uses a
TrueType CJK font of ``jingpei.core.pdf_fonts``."""

from __future__ import annotations

import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.core.pdf_fonts import cjk_font
from jingpei.core.sheets import text_row
from jingpei.ledger.compliance import person_compliance
from jingpei.ledger.models import LedgerEntry, TrainingForm
from jingpei.orgs.models import Person


@dataclass(frozen=True)
class RecordSection:
    """A part of the record that another capability keeps: a titled table of plain values (text,
    numbers, dates), the same on the page, in the PDF and in Excel."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple]
    widths: tuple[int, ...]  # column widths in the PDF, millimetres summing to 170


log = logging.getLogger(__name__)

_sections: list[Callable[[Person, int], RecordSection]] = []


def record_section(build: Callable[[Person, int], RecordSection]) -> Callable[[Person, int], RecordSection]:
    """Register ``build(person, year)`` as a section of every record. Called at import by the apps that
    keep such parts (in their ``ready()``), so the ledger, which they credit, never imports them."""
    if build not in _sections:
        _sections.append(build)
    return build


@dataclass
class TrainingRecord:
    person: Person
    year: int
    by_form: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal(0)
    classes: list[dict] = field(default_factory=list)
    courses: list[dict] = field(default_factory=list)
    entries: list[LedgerEntry] = field(default_factory=list)
    compliance: list = field(default_factory=list)
    sections: list[RecordSection] = field(default_factory=list)

    @property
    def activity_sections(self) -> list[RecordSection]:
        """The classes and courses behind the hours, then the other apps' sections: the part of the record
        the person page shows as it is in the PDF."""
        return [
            RecordSection(_("参加培训班、考察和讲堂"), (_("名称"), _("日期"), _("学时")),
                          [(c["title"], c["first"], c["hours"]) for c in self.classes], (110, 35, 25)),
            RecordSection(_("网络学习课程"), (_("课程"), _("日期"), _("学时")),
                          [(c["title"], c["first"], c["hours"]) for c in self.courses], (110, 35, 25)),
            *self.sections,
        ]

    @property
    def form_rows(self) -> list[tuple[str, Decimal]]:
        return [(label, self.by_form.get(value, Decimal(0))) for value, label in TrainingForm.choices]


def training_record(person: Person, year: int) -> TrainingRecord:
    """Everything the record shows, in three queries."""
    entries = list(LedgerEntry.objects.filter(person=person, occurred_on__year=year)
                   .select_related("reverses").order_by("occurred_on", "id"))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    reversed_ids |= set(LedgerEntry.objects.filter(reverses__in=[e.pk for e in entries]).values_list("reverses_id", flat=True))
    record = TrainingRecord(person, year, entries=entries)
    by_form: dict[str, Decimal] = defaultdict(Decimal)
    sources: dict[tuple[str, str], dict] = {}
    for e in entries:
        by_form[e.form] += e.hours
        if e.reverses_id or e.pk in reversed_ids:
            continue
        key = (e.source_type, e.source_id) if e.source_id else ("entry", str(e.pk))
        item = sources.setdefault(key, {"title": e.title or e.get_form_display(), "form": e.form, "hours": Decimal(0),
                                        "first": e.occurred_on, "last": e.occurred_on})
        item["hours"] += e.hours
        item["last"] = e.occurred_on
    record.by_form = dict(by_form)
    record.total = sum(by_form.values(), Decimal(0))
    record.classes = [s for s in sources.values() if s["form"] in ("class", "study_tour", "mobile_lecture")]
    record.courses = [s for s in sources.values() if s["form"] in ("online", "external")]
    as_of = min(timezone.localdate(), timezone.localdate().replace(year=year, month=12, day=31))
    record.compliance = person_compliance(person, as_of=as_of)
    record.sections = [build(person, year) for build in _sections]
    return record


def _cell(value) -> str:
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return "—" if value in (None, "") else str(value)




# --- PDF ------------------------------------------------------------------------------------------
def record_pdf(record: TrainingRecord) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font_name = cjk_font()
    title = ParagraphStyle("t", fontName=font_name, fontSize=18, leading=24, alignment=1, wordWrap="CJK")
    h2 = ParagraphStyle("h", fontName=font_name, fontSize=12, leading=18, spaceBefore=8, wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font_name, fontSize=9.5, leading=13, wordWrap="CJK")
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font_name), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])
    p = record.person

    def table(rows, widths):
        # escaped: a Paragraph reads its text as markup, and titles, reasons and names are typed by people
        # ("R&D 培训", "x<y" would garble the cell or fail the whole record)
        return Table([[Paragraph(escape(str(c)), body) for c in r] for r in rows], colWidths=[w * mm for w in widths],
                     style=style)

    # (title, column headings, rows, widths in mm) of the numbered parts, other apps' sections included
    parts = [
        (_("学时汇总（合计 %(t)s 学时）") % {"t": record.total}, (_("培训形式"), _("学时")),
         [(label, hours) for label, hours in record.form_rows], (85, 85)),
        (_("学时要求完成情况"), (_("规则"), _("周期"), _("要求"), _("已完成"), _("状态")),
         [(r.rule.name, r.period.label, r.required, r.earned, r.status_label) for r in record.compliance],
         (60, 30, 20, 20, 40)),
        *[(x.title, x.columns, x.rows, x.widths) for x in record.activity_sections],
        (_("学时明细与更正"), (_("日期"), _("形式"), _("内容"), _("学时"), _("更正原因")),
         [(e.occurred_on, e.get_form_display(), e.title, e.hours, e.reason) for e in record.entries],
         (24, 22, 74, 16, 34)),
    ]
    story = [
        Paragraph(_("干部教育培训档案（%(y)s 年度）") % {"y": record.year}, title), Spacer(1, 4 * mm),
        table([[_("姓名"), p.name, _("所在组织"), p.primary_org.name],
               [_("职务"), p.position or "—", _("职级"), p.get_rank_level_display() or "—"]], [25, 55, 25, 65]),
    ]
    numerals = _("一,二,三,四,五,六,七,八,九,十").split(",")  # ten parts at most: an eleventh fails here, loudly
    for i, (heading, columns, rows, widths) in enumerate(parts):
        cells = [[_cell(v) for v in row] for row in rows] or [[_("无"), *[""] * (len(columns) - 1)]]
        story += [Paragraph(escape(_("%(number)s、%(heading)s") % {"number": numerals[i], "heading": heading}), h2),
                  table([list(columns), *cells], widths)]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(_("生成时间：%(t)s（精培平台）") % {"t": f"{timezone.localtime():%Y-%m-%d %H:%M}"}, body),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"{p.name} {record.year} 培训档案", author="精培")
    doc.build(story)
    return out.getvalue()


# --- Excel ----------------------------------------------------------------------------------------
def record_xlsx(record: TrainingRecord) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("概况")
    p = record.person
    sheet.append([_("干部教育培训档案"), record.year])
    sheet.append(text_row(sheet, [_("姓名"), p.name, _("所在组织"), p.primary_org.name]))
    sheet.append([])
    sheet.append([_("培训形式"), _("学时")])
    for label, hours in record.form_rows:
        sheet.append(text_row(sheet, [str(label), float(hours)]))
    sheet.append([_("合计"), float(record.total)])
    sheet.append([])
    sheet.append([_("规则"), _("周期"), _("要求"), _("已完成"), _("差额"), _("状态")])
    for r in record.compliance:
        sheet.append(text_row(sheet, [r.rule.name, r.period.label, float(r.required), float(r.earned), float(r.gap),
                                      r.status_label]))
    detail = book.create_sheet(_("学时明细"))
    detail.append([_("日期"), _("形式"), _("内容"), _("学时"), _("来源"), _("更正原因")])
    for e in record.entries:
        detail.append(text_row(detail, [e.occurred_on, e.get_form_display(), e.title, float(e.hours), e.source_type,
                                        e.reason]))
    for section in record.sections:
        sheet = book.create_sheet(section.title[:31])  # Excel's limit on a sheet's name
        sheet.append(list(section.columns))
        for row in section.rows:
            sheet.append(text_row(sheet, [float(v) if isinstance(v, Decimal) else v for v in row]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- archive of a subtree (background job) --------------------------------------------------------
def archive_path(job_id) -> Path:
    return Path(settings.MEDIA_ROOT) / "ledger" / "archives" / f"{job_id}.zip"


def build_archive(ctx, *, org_id: int, year: int, user_id: int) -> dict:
    from jingpei.accounts.models import User
    from jingpei.ledger.access import get_subtree

    user = User.objects.get(pk=user_id)
    org = get_subtree(user, org_id)  # the grant may have been revoked since the job was queued
    people = list(Person.objects.active().filter(memberships__org__path__startswith=org.path).distinct()
                  .select_related("primary_org").order_by("primary_org__path", "pinyin", "id"))
    path = archive_path(ctx.job.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    failed: list[Person] = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, person in enumerate(people):
            try:
                pdf = record_pdf(training_record(person, year))
            except Exception:  # one record that cannot be made must not cost the other thousands theirs
                log.exception("training record of person %s for %s failed", person.pk, year)
                failed.append(person)
            else:
                archive.writestr(f"{person.primary_org.name}/{person.name}-{person.pk}-{year}.pdf", pdf)
            ctx.progress(index + 1, len(people), _("正在生成 %(name)s 的培训档案") % {"name": person.name})
        if failed:
            archive.writestr(_("未能生成的档案.txt"), "\r\n".join([
                _("以下人员的培训档案未能生成，请单独下载或联系系统管理员（错误已记入系统日志）："),
                *(f"{p.primary_org.name}\t{p.name}\t{p.pk}" for p in failed)]))
    made = len(people) - len(failed)
    label = (_("下载培训档案压缩包（%(n)s 人；%(f)s 人未能生成，名单在压缩包内）") % {"n": made, "f": len(failed)} if failed
             else _("下载培训档案压缩包（%(n)s 人）") % {"n": made})
    return {"url": reverse("ledger:archive", args=[ctx.job.pk]), "label": label}
