"""Import of external-platform hours: preview, row/column errors in Chinese, all-or-nothing, idempotent."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse

from jingpei.core.errors import DomainError
from jingpei.ledger.imports import apply_import, preview_import
from jingpei.ledger.models import ImportBatch, LedgerEntry, MonthRollup
from tests.factories import valid_id, xlsx_bytes

xlsx = xlsx_bytes


HEADER = ["身份证号", "姓名", "所在组织", "日期", "学时", "课程名称"]


@pytest.fixture
def ids(cast):
    return {p.name: p.reveal_id_number() for p in (cast.person_a, cast.person_a2, cast.person_b)}


def test_preview_then_apply_then_reimport(cast, ids):
    content = xlsx([HEADER, [ids["王小明"], "", "", date(2026, 3, 2), 2, "习近平新时代中国特色社会主义思想"],
                    ["", "李芳", "朱集村党支部", "2026/3/3", "1.5", "乡村振兴战略解读"]])
    batch = preview_import(actor=cast.officer, org=cast.district, platform="河南干部网络学院", filename="h.xlsx",
                           content=content)
    assert batch.status == ImportBatch.Status.PREVIEW and len(batch.rows) == 2 and not batch.errors
    assert not LedgerEntry.objects.exists()  # preview writes no hours
    batch = apply_import(actor=cast.officer, batch=batch)
    assert (batch.created, batch.duplicates) == (2, 0)
    assert sorted(LedgerEntry.objects.values_list("person__name", "hours", "form")) == sorted(
        [("王小明", 2, "external"), ("李芳", 1.5, "external")])
    again = preview_import(actor=cast.officer, org=cast.district, platform="河南干部网络学院", filename="h.xlsx",
                           content=content)
    assert all(r["exists"] for r in again.rows)
    again = apply_import(actor=cast.officer, batch=again)
    assert (again.created, again.duplicates) == (0, 2)
    assert LedgerEntry.objects.count() == 2
    assert sum(MonthRollup.objects.values_list("tenths", flat=True)) == 35
    with pytest.raises(DomainError) as exc:
        apply_import(actor=cast.officer, batch=again)
    assert exc.value.message == "该文件已经导入。"


def test_any_bad_row_blocks_the_whole_file(cast, ids):
    content = "\n".join([
        ",".join(HEADER),
        f"{ids['王小明']},,,2026-03-02,2,好课程",
        "110101199001011234,,,2026-03-02,2,坏身份证",
        f"{ids['李芳']},,,2026-13-40,2,坏日期",
        f"{ids['李芳']},,,2026-03-02,-1,坏学时",
        f"{ids['李芳']},,,2026-03-02,1.25,两位小数",
        ",王小明,不存在的村,2026-03-02,1,坏组织",
        f"{ids['李芳']},,,2026-03-02,1,",
    ]).encode("utf-8")
    batch = preview_import(actor=cast.officer, org=cast.district, platform="学习强国", filename="x.csv", content=content)
    assert batch.status == ImportBatch.Status.INVALID
    errors = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert errors[(3, "身份证号")].startswith("身份证号")
    assert errors[(4, "日期")] == "日期“2026-13-40”无法识别，请填写如 2026-03-05、2026/3/5 或 2026年3月5日。"
    assert errors[(5, "学时")] == "学时“-1”须为大于 0 的数字，最多一位小数。"
    assert errors[(6, "学时")] == "学时“1.25”须为大于 0 的数字，最多一位小数。"
    assert errors[(7, "所在组织")] == "在本单位范围内未找到组织“不存在的村”。"
    assert errors[(8, "课程名称")] == "请填写课程名称。"
    with pytest.raises(DomainError) as exc:
        apply_import(actor=cast.officer, batch=batch)
    assert exc.value.message == "文件有错误，不能导入。请修改后重新上传。"
    assert not LedgerEntry.objects.exists()


def test_what_tired_hands_type_is_read_and_a_mistyped_number_is_caught_by_the_name(cast, ids):
    """Full-width digits, "2学时", a lowercase x, spaces in a name, a date with 年月日 are read as meant; a number
    that belongs to someone else than the row's name is an error (it would credit the wrong person)."""
    content = xlsx([HEADER,
                    [ids["王小明"], "王 小明", "", "２０２６年３月２日", "2学时", " 党史学习 "],
                    [ids["李芳"].lower(), "", "", "2026.3.3", 1.2000000000000002, "乡村振兴"],
                    ["", " 李 芳", "朱集村党支部", 46085, "1.5 小时", "基层党建"],  # 46085: Excel's serial of 2026-03-04
                    [ids["李芳"], "王小明", "", "2026-03-05", 1, "冒名"],
                    [ids["王小明"], "", "", "2099-01-01", "", "将来"],
                    [ids["王小明"], "", "", "", "两小时", "空日期"],
                    [ids["王小明"], "", "", 2026, 1, "只有年份"],
                    [ids["王小明"], "", "", 36000, 1, "一个太早的 Excel 日期"]])
    batch = preview_import(actor=cast.officer, org=cast.district, platform="学习强国", filename="h.xlsx", content=content)
    assert [(r["person"], r["date"], r["hours"], r["title"]) for r in batch.rows] == [
        ("王小明", "2026-03-02", "2", "党史学习"), ("李芳", "2026-03-03", "1.2", "乡村振兴"),
        ("李芳", "2026-03-04", "1.5", "基层党建")]
    assert batch.errors == [
        {"row": 5, "column": "姓名", "message": "身份证号对应的人员为“李芳”，与本行姓名“王小明”不一致，请核对身份证号和姓名。"},
        {"row": 6, "column": "日期", "message": "日期 2099-01-01 晚于今天，请核对。"},
        {"row": 6, "column": "学时", "message": "请填写学时。"},
        {"row": 7, "column": "日期", "message": "请填写日期。"},
        {"row": 7, "column": "学时", "message": "学时“两小时”须为大于 0 的数字，最多一位小数。"},
        {"row": 8, "column": "日期", "message": "日期“2026”无法识别，请填写如 2026-03-05、2026/3/5 或 2026年3月5日。"},
        {"row": 9, "column": "日期", "message": "日期 1998-07-24 早于 2000 年，请核对。"},
    ]


def test_checking_a_file_looks_people_up_in_batches_not_row_by_row(cast, ids, django_assert_max_num_queries):
    rows = [[ids["王小明"] if i % 2 else "", "" if i % 2 else "李芳", "" if i % 2 else "朱集村党支部", "2026-03-02", 1,
             f"课程{i}"] for i in range(600)]
    with django_assert_max_num_queries(12):  # 600 rows: organisations, 2 chunks of people by number and name, keys
        batch = preview_import(actor=cast.officer, org=cast.district, platform="学习强国", filename="h.xlsx",
                               content=xlsx([HEADER, *rows]))
    assert len(batch.rows) == 600 and not batch.errors


def test_people_outside_the_subtree_are_unknown(cast, ids):
    # an officer importing into township A cannot credit 赵秘密 of B; the message does not reveal B's person
    officer_a_scope = cast.town_a
    content = xlsx([HEADER, [ids["赵秘密"], "", "", "2026-03-02", 2, "课程"]])
    batch = preview_import(actor=cast.officer, org=officer_a_scope, platform="学习强国", filename="b.xlsx", content=content)
    assert batch.errors == [{"row": 2, "column": "身份证号", "message": "在本单位范围内未找到该身份证号对应的人员。"}]
    unknown = xlsx([HEADER, [valid_id(), "", "", "2026-03-02", 2, "课程"]])
    batch = preview_import(actor=cast.officer, org=officer_a_scope, platform="学习强国", filename="b.xlsx", content=unknown)
    assert batch.errors[0]["message"] == "在本单位范围内未找到该身份证号对应的人员。"


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("a.pdf", b"%PDF-1.4", "只支持 .xlsx、.xls 和 .csv 文件，请另存为这几种格式后再上传。"),
    ("a.csv", "姓名,学时\n张三,1".encode(), "缺少必需的列：日期、课程名称。第一行须为表头。"),
    ("a.csv", "日期,学时,课程名称\n2026-01-01,1,课".encode(), "须有“身份证号”列，或同时有“姓名”和“所在组织”列。"),
    ("a.csv", "身份证号,日期,学时,课程名称\n".encode(), "文件中没有数据行。"),
    ("a.xlsx", b"not a zip", "该文件不是有效的 Excel 文件（可能已损坏，或是网页、文本改名而成），请用 Excel 打开后另存为 "
                             ".xlsx 再上传。"),
    ("a.xlsx", b"PK\x03\x04 cut short", "无法读取该 Excel 文件，请确认文件未损坏。"),
    ("a.csv", b"\xff\xfe\x00garbage\xff", "无法识别该 CSV 文件的文字编码。请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或"
                                             "“CSV（逗号分隔）”后再上传。"),  # once "please upload .xlsx or .csv"
])
def test_bad_files(cast, filename, content, message):
    with pytest.raises(DomainError) as exc:
        preview_import(actor=cast.officer, org=cast.district, platform="学习强国", filename=filename, content=content)
    assert exc.value.message == message
    assert not ImportBatch.objects.exists()


def test_xls_exports_of_older_platforms_and_renamed_files_are_read(cast, ids):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("学时")
    for r, values in enumerate([HEADER, [ids["王小明"], "", "", "2026-03-02", 2, "党史学习"]]):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    for filename in ("学时.xls", "学时.xlsx"):  # the first bytes decide, not the name someone gave it
        batch = preview_import(actor=cast.officer, org=cast.district, platform="河南干部网络学院", filename=filename,
                               content=out.getvalue())
        assert not batch.errors and batch.rows[0]["title"] == "党史学习" and batch.rows[0]["hours"] == "2"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])  # Chinese Excel's "CSV"; its "Unicode text" (BOM)
def test_gb18030_and_utf16_csv(cast, ids, encoding):
    content = f"身份证号,日期,学时,课程名称\n{ids['王小明']},2026年3月2日,2,党史学习\n".encode(encoding)
    batch = preview_import(actor=cast.officer, org=cast.district, platform="学习强国", filename="g.csv", content=content)
    assert batch.rows[0]["title"] == "党史学习" and batch.rows[0]["date"] == "2026-03-02"


def test_liaison_cannot_import(cast):
    with pytest.raises(DomainError) as exc:
        preview_import(actor=cast.liaison_a, org=cast.town_a, platform="x", filename="a.csv", content=b"")
    assert exc.value.message == "您没有为该单位导入学时的权限。"


def test_import_pages(cast, ids, client_as):
    c = client_as(cast.officer)
    upload = io.BytesIO(xlsx([HEADER, [ids["王小明"], "", "", "2026-03-02", 2, "课程甲"]]))
    upload.name = "h.xlsx"
    response = c.post(reverse("ledger:import_upload"), {"platform": "学习强国", "org": cast.district.pk, "file": upload})
    assert response.status_code == 302
    preview = c.get(response.url).content.decode()
    assert "课程甲" in preview and "确认导入" in preview
    c.post(response.url)
    assert LedgerEntry.objects.get().title == "课程甲"
    assert client_as(cast.liaison_a).get(reverse("ledger:import_upload")).status_code == 404


def test_a_long_preview_is_paged_and_counted(cast, ids, client_as):
    rows = [[ids["王小明"], "", "", "2026-03-02", 1, f"课程{i:03d}"] for i in range(150)] + [
        [ids["王小明"], "", "", "2026-03-02", 1, "课程000"]]  # the first row again
    batch = preview_import(actor=cast.officer, org=cast.district, platform="学习强国", filename="h.xlsx",
                           content=xlsx([HEADER, *rows]))
    c = client_as(cast.officer)
    first = c.get(reverse("ledger:import", args=[batch.pk])).content.decode()
    assert "可导入 151 行：新增 150 条，已在台账中 0 条，文件内重复 1 条。" in first
    assert "课程099" in first and "课程100" not in first and "1 / 2" in first and "确认导入（新增 150 条）" in first
    second = c.get(reverse("ledger:import", args=[batch.pk]) + "?page=2").content.decode()
    assert "课程100" in second and "课程099" not in second


def test_a_file_with_hundreds_of_errors_lists_the_first(cast, ids, client_as, monkeypatch):
    from jingpei.ledger import views

    monkeypatch.setattr(views, "IMPORT_ERRORS_SHOWN", 2)
    batch = preview_import(actor=cast.officer, org=cast.district, platform="学习强国", filename="h.xlsx",
                           content=xlsx([HEADER, *([ids["王小明"], "", "", "昨天", 1, "课"] for _ in range(3))]))
    html = client_as(cast.officer).get(reverse("ledger:import", args=[batch.pk])).content.decode()
    assert "发现 3 处错误" in html and "以下列出前 2 处，改正后重新上传即可看到其余的。" in html
    assert html.count("日期“昨天”无法识别") == 2
