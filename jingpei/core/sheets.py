"""Rows for openpyxl that keep text as text.

openpyxl stores any string that starts with ``=`` as a formula, so a name, a course title or a reason
typed (or imported from someone's Excel file) as ``=HYPERLINK("http://…","点此")`` would become a live
formula in the official's export. Rows that carry data people typed go through :func:`text_row`. (The
files written with xlsxwriter use ``write_string``, which never makes a formula.)
"""

from __future__ import annotations

from openpyxl.cell import Cell, WriteOnlyCell


def text_row(sheet, values) -> list:
    """``values`` for ``sheet.append``, every string (and styled cell) that would be a formula made text."""
    out = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            value = WriteOnlyCell(sheet, value=value)  # a Cell bound to ``sheet``: append takes it as is
        if isinstance(value, Cell) and value.data_type == "f":
            value.data_type = "s"
        out.append(value)
    return out


def styled_row(sheet, values, *, font=None, fill=None) -> list:
    """``values`` as cells of a write-only ``sheet`` in ``font`` and ``fill`` (headings, highlighted rows),
    strings kept as text."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        cells.append(cell)
    return text_row(sheet, cells)


MONEY = "#,##0.00"


def money_cell(sheet, value) -> WriteOnlyCell:
    """A yuan figure as a number the sheet can sum, shown to the fen with thousands separated (12,000.00)."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = MONEY
    return cell
