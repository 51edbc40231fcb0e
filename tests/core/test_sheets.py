"""Text typed by people stays text in the Excel files (never a live formula)."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from jingpei.core.sheets import text_row

LINK = '=HYPERLINK("http://evil.example","点此")'


def _read(book) -> list:
    buf = io.BytesIO()
    book.save(buf)
    return [[(c.value, c.data_type) for c in row] for row in load_workbook(io.BytesIO(buf.getvalue())).active.iter_rows()]


def test_formula_like_text_is_written_as_text_in_both_modes():
    for write_only in (True, False):
        book = Workbook(write_only=write_only)
        sheet = book.create_sheet("s") if write_only else book.active
        styled = WriteOnlyCell(sheet, value="=1+1")
        styled.font = Font(bold=True)
        sheet.append(text_row(sheet, [LINK, "张三", 12.5, None, styled, "a=b"]))
        [[link, name, number, _empty, bold, plain]] = _read(book)
        assert link == (LINK, "s") and bold == ("=1+1", "s") and plain == ("a=b", "s")
        assert name == ("张三", "s") and number == (12.5, "n")

