"""Real roster files for the tests: .xlsx (openpyxl), .xls (xlwt), .csv in UTF-8 or GBK."""

from __future__ import annotations

import csv
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from jingpei.roster import services
from jingpei.roster.models import RosterImport

# A real-world layout: a title row, a sequence column, header variants, columns in another order.
HEADERS = ["序号", "姓名", "公民身份号码", "性别", "出生年月", "民族", "联系电话", "政治面貌", "现任职务", "职级",
           "所在单位", "人员类别"]


def xlsx(rows: list[list], *, headers=HEADERS, title: str | None = "召陵区干部花名册", name="花名册.xlsx",
         text_columns=(2,)) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for col in text_columns:  # ID numbers typed into a text-formatted column stay text
        for cells in sheet.iter_cols(min_col=col + 1, max_col=col + 1):
            for cell in cells:
                cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def xls(rows: list[list], *, headers=HEADERS, name="花名册.xls") -> SimpleUploadedFile:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate([headers, *rows]):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_file(rows: list[list], *, headers=HEADERS, encoding="utf-8", bom=False, name="花名册.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    data = text.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    return SimpleUploadedFile(name, data)


def row(name, id_number, org, *, seq=1, gender="", birth="", ethnicity="汉族", phone="", political="中共党员",
        position="村委委员", rank="", categories=""):
    return [seq, name, id_number, gender, birth, ethnicity, phone, political, position, rank, org, categories]


def validated(user, upload, *, on_duplicate="skip", year=2026, mapping=None) -> RosterImport:
    """Upload, accept the guessed mapping, and check every row (the job's work, run inline)."""
    imp = services.start_import(actor=user, upload=upload)
    services.configure_import(actor=user, roster_import=imp, mapping=mapping or imp.mapping,
                              on_duplicate=on_duplicate, category_year=year)
    imp.refresh_from_db()
    return services.validate_import(roster_import=imp)


def committed(user, upload, **kw) -> RosterImport:
    imp = validated(user, upload, **kw)
    services.request_commit(actor=user, roster_import=imp)
    imp.refresh_from_db()
    return services.commit_import(roster_import=imp)


def problems(imp: RosterImport, level="error") -> list[tuple[int, str, str]]:
    return [(r.row, p["column"], p["message"]) for r in imp.rows.all() for p in r.problems if p["level"] == level]
