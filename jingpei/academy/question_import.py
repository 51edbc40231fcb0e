"""The course test's spreadsheets: its questions in (题库), its results out. Questions come: .xlsx, .xls or .csv in the template's columns
(题型, 题目, 选项A–选项H, 答案). Every row is checked as the question form checks it; one bad row and
nothing is added, and every problem is named by row and column. A question whose text the course already
has is skipped, so importing the same file twice adds nothing the second time."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.academy.models import Course, Question, QuestionKind
from jingpei.academy.quiz import MAX_OPTIONS, check_manager, clean_question, option_letters
from jingpei.core import audit
from jingpei.core.errors import DomainError
from jingpei.roster.readers import read_small_table

MAX_ROWS = 500
HEADER_SEARCH_ROWS = 5
LETTERS = [chr(ord("A") + i) for i in range(MAX_OPTIONS)]
KIND_WORDS = {
    QuestionKind.SINGLE: ("单选", "单选题", "单项选择", "单项选择题", "single", "single choice"),
    QuestionKind.MULTIPLE: ("多选", "多选题", "多项选择", "多项选择题", "multiple", "multiple choice"),
    QuestionKind.JUDGE: ("判断", "判断题", "是非题", "judge", "true/false"),  # the template's words, both languages
}
_KIND = {word: kind for kind, words in KIND_WORDS.items() for word in words}
# Header names as offices write them, and as the English template does (compared in lower case).
HEADERS = {"kind": ("题型", "类型", "question type", "type"), "text": ("题目", "题干", "试题", "question"),
           "answer": ("答案", "正确答案", "参考答案", "answer", "right answer")}
_OPTION = re.compile(r"^(?:选项|option)?\s*([a-h])$", re.IGNORECASE)


def column_names() -> dict[str, str]:
    """The template's column of each field the question form names (for messages)."""
    return {"kind": _("题型"), "text": _("题目"), "choices": _("选项"), "answer": _("答案")}


@dataclass
class Imported:
    added: int
    skipped: int


class RowErrors(DomainError):
    """The rows at fault: nothing was added."""

    def __init__(self, errors: list[dict]):
        super().__init__(_("发现 %(n)s 处错误，没有导入任何题目。请修改后重新上传。") % {"n": len(errors)}, field="file")
        self.errors = errors


def _columns(header: list) -> tuple[dict[str, int], dict[str, int]]:
    fields: dict[str, int] = {}
    options: dict[str, int] = {}
    for index, cell in enumerate(header):
        label = str(cell or "").strip().lower()
        option = _OPTION.match(label)
        if option:
            options.setdefault(option.group(1).upper(), index)
            continue
        for key, names in HEADERS.items():
            if label in names:
                fields.setdefault(key, index)
    missing = [HEADERS[k][0] for k in ("text", "answer") if k not in fields]
    if missing or len(options) < 2:
        raise DomainError(_("表头须有“题目”“答案”列和至少两列选项（选项A、选项B…），请使用下载的模板。"), field="file")
    return fields, options


def _names_columns(row: list) -> bool:
    labels = {str(c or "").strip().lower() for c in row}
    return all(labels & set(HEADERS[key]) for key in ("text", "answer"))


def _kind(word: str, answer: str) -> str:
    """The type as written; left blank, guessed from the answer (对/错: true/false; two letters: multiple)."""
    if word:
        return _KIND.get(word.strip().lower(), word)
    if answer.strip() in ("对", "错", "正确", "错误", "√", "×"):
        return QuestionKind.JUDGE
    chosen = [ch for ch in option_letters(answer) if "A" <= ch <= "H"]
    return QuestionKind.MULTIPLE if len(chosen) > 1 else QuestionKind.SINGLE


def import_questions(*, actor, course: Course, filename: str, content: bytes) -> Imported:
    check_manager(actor, course)
    table = read_small_table(filename, content)
    rows = [(number, row) for number, row in enumerate(table, start=1) if any(str(c or "").strip() for c in row)]
    if not rows:
        raise DomainError(_("文件中没有数据，请检查是否选错了文件或工作表。"), field="file")
    # The header is the first row naming the columns: a title row above it (a common habit) is passed over.
    at = next((i for i, (_n, row) in enumerate(rows[:HEADER_SEARCH_ROWS]) if _names_columns(row)), 0)
    fields, options = _columns(rows[at][1])
    body = rows[at + 1:]
    if not body:
        raise DomainError(_("文件中只有表头，没有题目。"), field="file")
    if len(body) > MAX_ROWS:
        raise DomainError(_("一次最多导入 %(n)s 道题，请分批导入。") % {"n": MAX_ROWS}, field="file")
    names = column_names()

    def cell(row, index):
        return str(row[index]).strip() if index is not None and index < len(row) and row[index] is not None else ""

    known = {" ".join(t.split()) for t in course.questions.values_list("text", flat=True)}
    clean, errors, skipped = [], [], 0
    for number, row in body:
        answer = cell(row, fields["answer"])
        try:
            question = clean_question(_kind(cell(row, fields.get("kind")), answer), cell(row, fields["text"]),
                                      [cell(row, options.get(letter)) for letter in LETTERS], answer)
        except DomainError as exc:
            errors.append({"row": number, "column": names.get(exc.field or "", ""), "message": exc.message})
            continue
        key = " ".join(question.text.split())
        if key in known:
            skipped += 1
            continue
        known.add(key)
        clean.append(question)
    if errors:
        raise RowErrors(errors)
    with transaction.atomic():
        last = course.questions.aggregate(last=Max("order"))["last"] or 0
        Question.objects.bulk_create([
            Question(course=course, order=last + i, kind=q.kind, text=q.text, choices=q.choices, answer=q.answer)
            for i, q in enumerate(clean, start=1)])
        audit.record("academy.question.import", course, actor=actor, org_path=course.org.path,
                     after={"file": filename[:100], "sha256": hashlib.sha256(content).hexdigest(),
                            "added": len(clean), "skipped": skipped})
    return Imported(len(clean), skipped)


def template() -> bytes:
    """The template: the columns, and one example of each type."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("测试题"))
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    headers = [_("题型"), _("题目"), *[_("选项%(l)s") % {"l": letter} for letter in LETTERS[:4]], _("答案")]
    sheet.write_row(0, 0, headers, bold)
    examples = [
        [_("单选题"), _("乡村振兴战略的总要求共有几句？"), _("三句"), _("五句"), _("七句"), "", "B"],
        [_("多选题"), _("下列属于“五个振兴”的有："), _("产业振兴"), _("人才振兴"), _("文化振兴"), _("房价振兴"), "ABC"],
        [_("判断题"), _("产业兴旺是乡村振兴的重点。"), "", "", "", "", _("对")],
    ]
    for r, values in enumerate(examples, start=1):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 5, 14)
    sheet.set_column(6, 6, 8)
    book.close()
    return out.getvalue()


def results_sheet(course: Course, rows) -> bytes:
    """The test's results (``quiz.results`` rows) as an .xlsx file; typed text stays text."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(_("测试成绩"))
    sheet.write_row(0, 0, [_("姓名"), _("所在组织"), _("最高得分"), _("测试次数"), _("是否通过"), _("最近交卷")],
                    book.add_format({"bold": True}))
    yes, no = _("通过"), _("未通过")
    for r, row in enumerate(rows, start=1):
        sheet.write_string(r, 0, row["person__name"])
        sheet.write_string(r, 1, row["person__primary_org__name"] or "")
        sheet.write_number(r, 2, row["best"])
        sheet.write_number(r, 3, row["tries"])
        sheet.write_string(r, 4, yes if row["passes"] else no)
        sheet.write_string(r, 5, f"{timezone.localtime(row['last']):%Y-%m-%d %H:%M}")
    sheet.set_column(0, 1, 18)
    sheet.set_column(5, 5, 17)
    book.close()
    return out.getvalue()
