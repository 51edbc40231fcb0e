"""A course's test questions from a spreadsheet: the template round-trips, every bad row is named by row and
column and nothing is added, re-importing adds nothing, and only the course's managers may import."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from jingpei.academy import question_import
from jingpei.academy.models import Question
from jingpei.core.errors import DomainError, NotAllowed
from jingpei.core.models import AuditLog
from tests.academy.helpers import make_course
from tests.factories import xlsx_bytes

HEADER = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案"]


xlsx = xlsx_bytes


@pytest.fixture
def course(cast):
    return make_course(cast.district, "乡村振兴政策解读", seconds=(30,))


def run(course, content, filename="题库.xlsx", actor=None):
    return question_import.import_questions(actor=actor, course=course, filename=filename, content=content)


def test_the_template_imports_as_it_is_and_twice_adds_nothing(cast, course, client_as):
    client = client_as(cast.officer)
    resp = client.get(f"/academy/courses/{course.pk}/questions/template.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(resp.content)).active
    assert [c.value for c in sheet[1]] == HEADER
    page = client.post(f"/academy/courses/{course.pk}/questions/",
                       {"action": "import", "file": _upload(resp.content, "测试题模板.xlsx")}, follow=True)
    assert "已导入 3 道题，跳过已有的 0 道。" in page.content.decode()
    assert list(course.questions.values_list("kind", "answer", "order")) == [
        ("single", "B", 1), ("multiple", "ABC", 2), ("judge", "A", 3)]
    again = run(course, resp.content, actor=cast.officer)
    assert (again.added, again.skipped) == (0, 3) and course.questions.count() == 3
    entry = AuditLog.objects.filter(action="academy.question.import").latest("id")
    assert entry.after["added"] == 0 and entry.after["skipped"] == 3 and len(entry.after["sha256"]) == 64


def _upload(content, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_real_world_files_are_read(course):
    """Columns in another order, header variants, type left blank, full-width answers, a title row above."""
    content = xlsx([
        ["2026年乡村振兴专题测试题"],
        ["正确答案", "题干", "A", "B", "C", "D", "类型"],
        ["ａ，ｃ", "下列属于产业振兴举措的有", "发展特色种养", "随意占用耕地", "农产品电商", "", None],
        ["Ｂ", "“三农”问题中的“三农”不包括", "农业", "农村", "农民", "农机", "单项选择题"],
        ["错", "乡村振兴只靠政府投入。", None, None, None, None, ""],
    ])
    done = run(course, content)
    assert done.added == 3
    assert list(course.questions.values_list("kind", "answer", "choices")) == [
        ("multiple", "AC", ["发展特色种养", "随意占用耕地", "农产品电商"]),
        ("single", "B", ["农业", "农村", "农民", "农机"]),
        ("judge", "B", ["正确", "错误"])]


def test_csv_in_gbk(course):
    text = "题型,题目,选项A,选项B,答案\n单选题,精准扶贫的首要任务是,精准识别,精准施策,A\n"
    assert run(course, text.encode("gbk"), filename="题库.csv").added == 1


def test_every_bad_row_is_named_and_nothing_is_added(course):
    content = xlsx([
        HEADER,
        ["单选题", "好题", "甲", "乙", "", "", "A"],
        ["单选题", "", "甲", "乙", "", "", "A"],
        ["单选题", "答案越界", "甲", "乙", "丙", "丁", "E"],
        ["多选题", "只有一个答案", "甲", "乙", "丙", "", "B"],
        ["填空题", "题型不认识", "甲", "乙", "", "", "A"],
        ["单选题", "只有一个选项", "甲", "", "", "", "A"],
        ["判断题", "判断题答案不对", "", "", "", "", "也许"],
    ])
    with pytest.raises(question_import.RowErrors) as caught:
        run(course, content)
    assert caught.value.message == "发现 6 处错误，没有导入任何题目。请修改后重新上传。"
    assert caught.value.errors == [
        {"row": 3, "column": "题目", "message": "请填写题目。"},
        {"row": 4, "column": "答案", "message": "答案“E”不在选项 A–D 之中。"},
        {"row": 5, "column": "答案", "message": "多选题至少应有两个正确答案；只有一个时请选“单选题”。"},
        {"row": 6, "column": "题型", "message": "未知的题型。"},
        {"row": 7, "column": "选项", "message": "选择题须有 2 到 8 个选项（现有 1 个）。"},
        {"row": 8, "column": "答案", "message": "判断题的答案请填“对”或“错”。"},
    ]
    assert not Question.objects.exists() and not AuditLog.objects.filter(action="academy.question.import").exists()


@pytest.mark.parametrize(("rows", "filename", "message"), [
    ([], "题库.xlsx", "文件中没有数据"),
    ([HEADER], "题库.xlsx", "文件中只有表头，没有题目。"),
    ([["题目", "答案"], ["题", "A"]], "题库.xlsx", "表头须有“题目”“答案”列和至少两列选项"),
])
def test_bad_files(course, rows, filename, message):
    with pytest.raises(DomainError, match=message):
        run(course, xlsx(rows), filename=filename)


def test_not_a_spreadsheet_and_too_many_rows(course):
    with pytest.raises(DomainError, match="不是有效的 Excel 文件"):
        run(course, b"<html>not excel</html>", filename="题库.xlsx")
    rows = [HEADER] + [["判断题", f"第{i}题", "", "", "", "", "对"] for i in range(question_import.MAX_ROWS + 1)]
    with pytest.raises(DomainError, match="一次最多导入 500 道题"):
        run(course, xlsx(rows))


def test_only_managers_import(cast, course, client_as):
    with pytest.raises(NotAllowed):
        run(course, xlsx([HEADER, ["判断题", "题", "", "", "", "", "对"]]), actor=cast.liaison_b)
    outsider = client_as(cast.liaison_b)
    assert outsider.get(f"/academy/courses/{course.pk}/questions/template.xlsx").status_code == 403
    resp = outsider.post(f"/academy/courses/{course.pk}/questions/",
                         {"action": "import", "file": _upload(xlsx([HEADER]), "x.xlsx")})
    assert resp.status_code == 403 and not Question.objects.exists()


def test_the_page_lists_row_errors(cast, course, client_as):
    resp = client_as(cast.officer).post(f"/academy/courses/{course.pk}/questions/", {
        "action": "import", "file": _upload(xlsx([HEADER, ["单选题", "答案越界", "甲", "乙", "", "", "C"]]), "题库.xlsx")})
    body = resp.content.decode()
    assert resp.status_code == 400 and 'data-testid="import-errors"' in body
    assert "<td>2</td><td>答案</td><td>答案“C”不在选项 A–B 之中。</td>" in body


def test_the_english_template_imports_too(course):
    from django.utils import translation

    with translation.override("en"):
        content = question_import.template()
        assert [c.value for c in load_workbook(io.BytesIO(content)).active[1]] == [
            "Question type", "Question", "Option A", "Option B", "Option C", "Option D", "Answer"]
        assert run(course, content).added == 3
    assert list(course.questions.values_list("kind", "answer")) == [("single", "B"), ("multiple", "ABC"), ("judge", "A")]
