"""Reading uploaded roster files as rows of plain Python values, streamed.

.xlsx and .xls go through python-calamine (Rust; several times faster than openpyxl); .csv through the
standard library, in UTF-8 (with or without BOM), UTF-16 with BOM or GBK/GB18030, the encodings Chinese
offices' spreadsheets save in (core.csvfiles).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from jingpei.core.csvfiles import csv_encoding
from jingpei.core.errors import DomainError
from jingpei.roster.columns import BY_KEY, REQUIRED, header_score

FORMATS = ("xlsx", "xls", "csv")
HEADER_SEARCH_ROWS = 10
DATA_SEARCH_ROWS = 1000  # blank rows after the header tolerated before the file counts as having none
# python-calamine loads a whole sheet (about 1.2 KB a row of 12 cells): fine up to some 100k rows, not
# for a million. Larger .xlsx files are streamed with openpyxl's read-only mode instead (flat memory,
# slower parsing — still far from the import's bottleneck). An .xls holds at most 65,536 rows.
STREAM_XLSX_ABOVE_BYTES = 8 * 1024 * 1024
_MAGIC = {b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0": "xls"}


def detect_format(filename: str, head: bytes) -> str:
    """The file's real format: its first bytes decide between the two Excel formats (people rename
    .xls to .xlsx), the extension decides for text."""
    for magic, fmt in _MAGIC.items():
        if head.startswith(magic):
            return fmt
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("xlsx", "xlsm", "xls"):  # named Excel, but neither kind: damaged, or a web page saved as .xls
        raise DomainError(_("该文件不是有效的 Excel 文件（可能已损坏，或是网页、文本改名而成），请用 Excel 打开后"
                            "另存为 .xlsx 再上传。"), field="file")
    raise DomainError(_("只支持 .xlsx、.xls 和 .csv 文件，请另存为这几种格式后再上传。"), field="file")


@dataclass
class Table:
    """Rows of one sheet, from its row 1 (both Excel readers yield leading blank rows), so a row's
    number as Excel shows it is its index + ``first_row``; ``total`` counts rows (an estimate for CSV)."""

    path: Path
    format: str
    first_row: int = 1
    total: int = 0
    encoding: str = ""
    _loaded: object = field(default=None, repr=False, compare=False)  # the calamine sheet, parsed once

    @property
    def streamed(self) -> bool:
        return self.format == "xlsx" and self.path.stat().st_size > STREAM_XLSX_ABOVE_BYTES

    def rows(self) -> Iterator[list]:
        if self.format == "csv":
            yield from self._csv_rows()
        elif self.streamed:
            yield from self._streamed_rows()
        else:
            yield from self._sheet().iter_rows()

    def _streamed_rows(self) -> Iterator[list]:
        book = self._openpyxl()
        try:
            sheet = book.worksheets[0]
            for cells in sheet.iter_rows(values_only=True):
                yield list(cells)
        finally:
            book.close()

    def _openpyxl(self):
        import openpyxl

        try:
            return openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise DomainError(_("无法读取该 Excel 文件（%(e)s），请确认文件未损坏、未加密。") % {"e": exc},
                              field="file") from None

    def _sheet(self):
        if self._loaded is not None:  # open_table parsed it already: parsing is most of reading
            return self._loaded
        try:
            sheet = CalamineWorkbook.from_path(str(self.path)).get_sheet_by_index(0)
        except (CalamineError, ValueError, OSError) as exc:
            raise DomainError(_("无法读取该 Excel 文件（%(e)s），请确认文件未损坏、未加密。") % {"e": exc},
                              field="file") from None
        self.total = sheet.height  # rows are yielded from the sheet's row 1, leading blank rows included
        self._loaded = sheet
        return sheet

    def _csv_rows(self) -> Iterator[list]:
        with self.path.open(encoding=self.encoding, newline="") as handle:
            sample = handle.read(4096)
            handle.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
            except csv.Error:
                dialect = csv.excel
            yield from csv.reader(handle, dialect)


def read_small_table(filename: str, content: bytes) -> list[list]:
    """All rows of a small upload held in memory (an hours export, a question bank): the first sheet of an
    .xlsx or .xls (told apart by their first bytes: old provincial platforms export .xls, and people rename
    files) or the CSV (in the encoding core.csvfiles finds)."""
    if detect_format(filename, content[:8]) == "csv":
        text = content.decode(csv_encoding(lambda: [content]))
        return list(csv.reader(io.StringIO(text)))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [list(r) for r in book.get_sheet_by_index(0).to_python(skip_empty_area=False)]
    except Exception:  # calamine raises its own error types for corrupt files
        raise DomainError(_("无法读取该 Excel 文件，请确认文件未损坏。"), field="file") from None


def open_table(path: Path, fmt: str) -> Table:
    table = Table(path=Path(path), format=fmt)
    if fmt == "csv":
        table.encoding, table.total = _csv_encoding_and_lines(table.path)
    elif table.streamed:
        book = table._openpyxl()
        table.total = book.worksheets[0].max_row or 0
        book.close()
    else:
        table._sheet()  # opens once to fail early on a broken file and learn the size
    return table


def _csv_encoding_and_lines(path: Path) -> tuple[str, int]:
    """The file's encoding (core.csvfiles) and its number of lines (an estimate of the rows)."""

    def chunks():
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk

    return csv_encoding(chunks), sum(chunk.count(b"\n") for chunk in chunks())


def is_blank(cells: list) -> bool:
    for c in cells:  # a plain loop: called once a row, and a row's first cell usually decides
        if c is not None and not (isinstance(c, str) and not c.strip()):
            return False
    return True


def find_header(table: Table) -> tuple[int, list[str]]:
    """The header row among the first rows (templates often carry a title row above it): the row
    naming most known fields, else the first non-blank row. Returns (index among rows, headers)."""
    best: tuple[int, int, list] | None = None
    last = -1  # the last non-blank row seen: a data row must follow the header
    for index, cells in enumerate(table.rows()):
        # past the rows a header may sit in: go on only to find a first row under the header
        if index >= HEADER_SEARCH_ROWS and (best is None or last > best[1]
                                             or index >= HEADER_SEARCH_ROWS + DATA_SEARCH_ROWS):
            break
        if is_blank(cells):
            continue
        last = index
        if index >= HEADER_SEARCH_ROWS:
            continue
        score = header_score(cells)
        if best is None or score > best[0]:
            best = (score, index, cells)
    if best is None:
        raise DomainError(_("文件中没有数据，请检查是否选错了文件或工作表。"), field="file")
    _score, index, cells = best
    headers = [str(c).strip() if c is not None else "" for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) < len(REQUIRED):
        raise DomainError(_("文件只有 %(n)d 列，至少需要%(c)s这 %(m)d 列，请检查是否选错了文件或工作表。") % {
            "n": len(headers), "m": len(REQUIRED), "c": "、".join(BY_KEY[k].header for k in REQUIRED)}, field="file")
    if last <= index:
        raise DomainError(_("文件只有表头，没有人员数据行，请填写后再上传。"), field="file")
    return index, headers
