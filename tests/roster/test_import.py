"""Importing a roster: cleaning, every bad input the issue names, duplicates, idempotence, and
all-or-nothing commits."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import OperationalError, connection

from jingpei.core import crypto
from jingpei.core.errors import Conflict, DomainError, NotAllowed
from jingpei.core.models import AuditLog
from jingpei.orgs.models import Category, Membership, Person, PersonCategory
from jingpei.roster import services
from jingpei.roster.models import RosterImport
from tests.factories import make_org, numbered, valid_id
from tests.roster.builders import committed, csv_file, problems, row, validated, xls, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(db):
    return {
        "党员": Category.objects.create(code="party", name="党员"),
        "驻村第一书记": Category.objects.create(code="first-sec", name="驻村第一书记", sort_order=1),
    }


def test_real_world_file_is_cleaned_and_imported(cast, categories):
    id1 = valid_id(date(1975, 3, 8), male=True)
    id2 = valid_id(date(1982, 11, 2), male=False)[:-1]
    id2 += crypto_check(id2)
    id3 = valid_id(date(1990, 1, 31), male=True)
    id4 = valid_id(date(1968, 7, 9), male=False)
    full_width = id1.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [
        row(" 张 伟 ", f" {full_width} ", "召陵区/老窝镇/朱集村", gender="男", birth=27461, phone="138 0000 1234",
            categories="党员、驻村第一书记"),
        row("刘丽", id2.lower(), "朱集村党支部", seq=2, gender="女", birth="1982/11/2", ethnicity="回",
            political="团员", rank="村（社区）干部"),
        row("陈强", id3, "老窝镇／朱集村", seq=3, birth="1990年1月31日", political="群众"),
        row("孙红", id4, "朱集村", seq=4, birth="1968.07", political=""),
    ]
    imp = committed(cast.liaison_a, xlsx(rows))
    assert imp.status == RosterImport.Status.COMMITTED
    assert problems(imp) == []
    assert imp.counts == {"new": 4, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 0, "warnings": 0,
                          "total": 4}
    assert imp.header_row == 2  # the title row above the headers was recognised as such
    zhang = Person.objects.get(id_hash=crypto.blind_index(id1, "id_number"))
    assert zhang.name == "张伟"
    assert zhang.birth_date == date(1975, 3, 8) and zhang.gender == "M"
    assert zhang.reveal_id_number() == id1 and zhang.id_masked == crypto.mask_id_number(id1)
    assert zhang.reveal_phone() == "13800001234" and zhang.phone_masked == "138****1234"
    assert zhang.political_status == "cpc" and zhang.position == "村委委员"
    assert " zhangwei" in zhang.pinyin and " zw" in zhang.initials
    assert zhang.primary_org == cast.village_a
    assert Membership.objects.get(person=zhang).is_primary
    assert sorted(PersonCategory.objects.filter(person=zhang, year=2026).values_list("category__name", flat=True)) \
        == ["党员", "驻村第一书记"]
    liu = Person.objects.get(name="刘丽")
    assert liu.reveal_id_number() == id2.upper() and liu.ethnicity == "回族"
    assert liu.political_status == "cyl" and liu.rank_level == "village" and liu.primary_org == cast.branch_a
    assert Person.objects.get(name="孙红").political_status == "masses"
    summary = AuditLog.objects.get(action="roster.import")
    assert summary.after["sha256"] == imp.file_sha256 and summary.after["counts"]["new"] == 4
    assert summary.actor == cast.liaison_a and summary.org_path.startswith(cast.town_a.path)
    created = AuditLog.objects.filter(action="person.import.create")
    assert created.count() == 4
    assert id1 not in str(list(created.values_list("after", flat=True)))  # only masked numbers in the trail


def crypto_check(body17: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(body17[:17] + "0")


def _wrong_check_digit(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def test_every_bad_row_is_reported_by_row_column_and_message_and_nothing_is_written(cast, categories):
    make_org(cast.town_a, "新庄村", "village")
    make_org(cast.village_a, "新庄村", "village")  # the same name elsewhere in the township
    good = valid_id(date(1980, 5, 17))
    bad_digit = _wrong_check_digit(valid_id())
    bad_date_body = "41110419801332" + "123"
    bad_date = bad_date_body + crypto_check(bad_date_body)
    female = valid_id(date(1979, 4, 1), male=False)
    dup = valid_id()
    existing_b = cast.person_b.reveal_id_number()
    rows = [
        row("好人", good, "朱集村"),                                                           # 3
        row("校验错", bad_digit, "朱集村", seq=2),                                              # 4
        row("日期错", bad_date, "朱集村", seq=3),                                               # 5
        row("性别错", female, "朱集村", seq=4, gender="男", birth="1979-04-02"),                 # 6
        row("", valid_id(), "朱集村", seq=5),                                                  # 7
        row("缺组织", valid_id(), "", seq=6),                                                  # 8
        row("无此组织", valid_id(), "召陵区/老窝镇/不存在村", seq=7),                              # 9
        row("重名组织", valid_id(), "新庄村", seq=8),                                           # 10
        row("类别错", valid_id(), "朱集村", seq=9, categories="党员、致富能手"),                   # 11
        row("重复甲", dup, "朱集村", seq=10),                                                  # 12
        row("重复乙", dup, "朱集村", seq=11),                                                  # 13
        row("数字号", 411104198005170016, "朱集村", seq=12),                                   # 14
        row("电话错", valid_id(), "朱集村", seq=13, phone="12345"),                             # 15
        row("民族错", valid_id(), "朱集村", seq=14, ethnicity="火星族"),                         # 16
        row("面貌错", valid_id(), "朱集村", seq=15, political="积极分子"),                        # 17
        row("日期格式", valid_id(), "朱集村", seq=16, birth="去年"),                             # 18
        row("他镇人", existing_b, "朱集村", seq=17),                                            # 19
        row("旧地区码", valid_id(region="999999"), "朱集村", seq=18),                            # 20
    ]
    before = Person.objects.count()
    imp = validated(cast.liaison_a, xlsx(rows, text_columns=()))
    assert Person.objects.count() == before  # checking writes nothing
    found = problems(imp)
    assert (imp.counts["new"], imp.counts["rejected"], imp.counts["warnings"]) == (3, 15, 1), found
    expected = [
        (4, "公民身份号码", f"身份证号 {crypto.mask_id_number(bad_digit)} 的校验位不正确（应为 {crypto_check(bad_digit)}），请核对是否有数字录错。"),
        (5, "公民身份号码", f"身份证号 {crypto.mask_id_number(bad_date)} 中的出生日期 19801332 不是有效日期，请核对第 7–14 位。"),
        (6, "性别", "性别与身份证号不一致：身份证号第 17 位表示“女”。"),
        (6, "出生年月", "出生日期与身份证号不一致：身份证号中为 1979-04-01。"),
        (7, "姓名", "请填写姓名。"),
        (8, "所在单位", "请填写所在组织。"),
        (9, "所在单位", "找不到组织“召陵区/老窝镇/不存在村”，请填写系统中的组织全称或完整路径（如 召陵区/老窝镇/朱集村）。"),
        (10, "所在单位", "组织名称“新庄村”对应 2 个组织，请填写完整路径（如 召陵区/老窝镇/新庄村）。"),
        (11, "人员类别", "人员类别“致富能手”不存在，可填写：驻村第一书记、党员。"),
        (13, "公民身份号码", "身份证号与第 12 行重复，同一人只能出现一次，请删除或合并重复的行。"),
        (14, "公民身份号码", "身份证号被 Excel 存成了数字，后几位已丢失。请把该列设置为“文本”格式后重新填写。"),
        (15, "联系电话", "手机号 12345 格式不正确，应为 11 位手机号或固定电话。"),
        (16, "民族", "民族“火星族”不是 56 个民族的名称之一，请填写如“汉族”“回族”。"),
        (17, "政治面貌", "政治面貌“积极分子”无法识别，可填写：中共党员、中共预备党员、共青团员、民主党派、群众。"),
        (18, "出生年月", "出生日期“去年”无法识别，请填写如 1975-03-08、1975/3/8 或 1975年3月8日。"),
        (19, "公民身份号码", f"身份证号 {cast.person_b.id_masked} 已登记在您管理范围以外的组织，您不能导入或修改该人员，请联系上级组织部门。"),
    ]
    assert sorted(found) == sorted(expected)
    assert problems(imp, "warning") == [
        (20, "公民身份号码", "身份证号的地区码 999999 不在行政区划代码表中（可能为旧码或补登户籍），请确认。")]


def test_a_birth_year_alone_is_checked_as_a_year(cast):
    """出生年月 "1975" (a number in Excel, whose day 1975 would be 1905-05-29) or "1968年": a year."""
    rows = [row("甲", valid_id(date(1975, 3, 8)), "朱集村", birth=1975),
            row("乙", valid_id(date(1968, 7, 9)), "朱集村", seq=2, birth="1968年"),
            row("丙", valid_id(date(1980, 5, 17)), "朱集村", seq=3, birth=1981)]
    imp = validated(cast.liaison_a, xlsx(rows))
    assert imp.counts["new"] == 2
    assert problems(imp) == [(5, "出生年月", "出生日期与身份证号不一致：身份证号中为 1980-05-17。")]


def test_a_repeated_id_number_is_reported_even_when_its_first_row_has_another_mistake(cast, categories):
    """Fixing the first row later (the rejected rows' file) must not meet a stranger already imported under
    the same number: every later row holding it is rejected, with its own mistakes kept."""
    dup = valid_id()
    imp = validated(cast.liaison_a, xlsx([
        row("赵大勇", dup, "朱集村", categories="致富能手"),      # 3: rejected for its category
        row("吴重复", dup, "朱集村", seq=2),                     # 4: would have gone in as new
        row("", dup, "朱集村", seq=3),                           # 5: a mistake of its own as well
        row("别人", valid_id(), "朱集村", seq=4),                # 6
    ]))
    assert (imp.counts["new"], imp.counts["rejected"]) == (1, 3)
    repeated = "身份证号与第 3 行重复，同一人只能出现一次，请删除或合并重复的行。"
    assert sorted(problems(imp)) == [
        (3, "人员类别", "人员类别“致富能手”不存在，可填写：驻村第一书记、党员。"),
        (4, "公民身份号码", repeated),
        (5, "公民身份号码", repeated),
        (5, "姓名", "请填写姓名。"),
    ]
    import openpyxl

    from jingpei.roster.files import write_rejected

    sheet = openpyxl.load_workbook(write_rejected(imp)).active
    assert [r[-2:] for r in sheet.iter_rows(min_row=4, values_only=True)] == [
        (f"【姓名】请填写姓名。\n【公民身份号码】{repeated}", 5)]


def test_a_name_with_a_digit_is_rejected_on_its_row_full_width_included(cast):
    imp = validated(cast.liaison_a, xlsx([row("张三1", valid_id(), "朱集村"), row("李四２", valid_id(), "朱集村"),
                                          row("王五", valid_id(), "朱集村")]))
    assert imp.counts["new"] == 1
    assert sorted(problems(imp)) == [(3, "姓名", "姓名中不能有数字（“张三1”），请核对。"),
                                     (4, "姓名", "姓名中不能有数字（“李四2”），请核对。")]


def test_officer_sees_person_of_b_as_registered_but_liaison_a_cannot_touch_them(cast):
    """The officer covers both townships; for liaison_a the same person is outside the scope."""
    number = cast.person_b.reveal_id_number()
    imp = validated(cast.liaison_a, xlsx([row("赵秘密", number, "朱集村")]), on_duplicate="update")
    assert imp.counts["rejected"] == 1
    assert "赵秘密" not in str(problems(imp)) and "万金镇" not in str(problems(imp))
    imp = validated(cast.officer, xlsx([row("赵秘密", number, "刘庄村党支部", political="群众", position="")]),
                    on_duplicate="update")
    assert imp.counts["unchanged"] == 1


def test_liaison_cannot_import_into_the_sibling_township(cast):
    imp = validated(cast.liaison_b, xlsx([row("外人", valid_id(), "召陵区/老窝镇/朱集村")]))
    assert problems(imp) == [(3, "所在单位", "找不到组织“召陵区/老窝镇/朱集村”，请填写系统中的组织全称或完整路径（如 召陵区/老窝镇/朱集村）。")]
    assert imp.counts["new"] == 0


def test_a_visible_organisation_without_import_permission_is_refused(cast):
    """The officer's district sees 老窝镇; a liaison of 朱集村 sees only the village: the parent
    organisation named in a path is outside their import grant."""
    from jingpei.core.permissions import Role
    from tests.factories import make_user

    user = make_user("village_liaison", role=Role.LIAISON, org=cast.village_a)
    imp = validated(user, xlsx([row("某人", valid_id(), "朱集村")]))
    assert imp.counts["new"] == 1
    user2 = make_user("secretary_plus", role=Role.BRANCH_SECRETARY, org=cast.town_a)
    with pytest.raises(NotAllowed):
        services.start_import(actor=user2, upload=xlsx([row("某人", valid_id(), "朱集村")]))


def test_duplicates_against_registered_people_skip_or_update(cast, categories):
    number = cast.person_a.reveal_id_number()
    changed = row("王小明", number, "召陵区/老窝镇/朱集村", phone="13911112222", position="村党支部书记",
                  categories="党员")
    imp = committed(cast.liaison_a, xlsx([changed]), on_duplicate="skip")
    assert imp.counts["skipped"] == 1 and imp.counts["updated"] == 0
    cast.person_a.refresh_from_db()
    assert cast.person_a.position == "" and cast.person_a.primary_org == cast.branch_a

    imp = committed(cast.liaison_a, xlsx([changed]), on_duplicate="update")
    assert imp.counts["updated"] == 1
    person = Person.objects.get(pk=cast.person_a.pk)
    assert person.position == "村党支部书记" and person.reveal_phone() == "13911112222"
    assert person.primary_org == cast.village_a
    memberships = list(Membership.objects.filter(person=person).values_list("org_id", "is_primary"))
    assert memberships == [(cast.village_a.pk, True)]
    assert list(PersonCategory.objects.filter(person=person).values_list("category__name", "year")) == [("党员", 2026)]
    change = AuditLog.objects.get(action="person.import.update", object_id=str(person.pk))
    assert change.before["position"] == "" and change.after["position"] == "村党支部书记"
    assert change.after["phone"] == "139****2222" and change.after["categories"]["ids"] == [categories["党员"].pk]


def test_the_same_file_twice_changes_nothing_the_second_time(cast, categories):
    rows = [row(numbered("人员", i), valid_id(), "朱集村", seq=i, categories="党员") for i in range(5)]
    upload = xlsx(rows)
    first = committed(cast.liaison_a, upload, on_duplicate="update")
    assert first.counts["new"] == 5
    people, audits = Person.objects.count(), AuditLog.objects.filter(action__startswith="person.").count()
    upload.seek(0)
    second = committed(cast.liaison_a, upload, on_duplicate="update")
    assert second.counts["new"] == 0 and second.counts["unchanged"] == 5 and second.counts["updated"] == 0
    assert second.file_sha256 == first.file_sha256
    assert Person.objects.count() == people
    assert AuditLog.objects.filter(action__startswith="person.").count() == audits


@pytest.mark.parametrize("error", [RuntimeError("boom"), OperationalError("server closed the connection unexpectedly")])
def test_a_failure_half_way_leaves_everything_as_before(cast, monkeypatch, error):
    monkeypatch.setattr(services, "BATCH", 2)
    rows = [row(numbered("人员", i), valid_id(), "朱集村", seq=i) for i in range(5)]
    rows.append(row("王小明", cast.person_a.reveal_id_number(), "朱集村", position="新职务"))
    imp = validated(cast.liaison_a, xlsx(rows), on_duplicate="update")
    assert imp.counts["new"] == 5 and imp.counts["updated"] == 1
    state = (Person.objects.count(), Membership.objects.count(), AuditLog.objects.count())
    indexes = _indexes()
    calls = {"n": 0}
    original = services.BatchWriter.write

    def failing(self, checked):
        calls["n"] += 1
        if calls["n"] == 2:  # the first batch is already written when this one fails
            raise error
        return original(self, checked)

    monkeypatch.setattr(services.BatchWriter, "write", failing)
    services.request_commit(actor=cast.liaison_a, roster_import=imp)
    with pytest.raises(type(error)):
        services.commit_import(roster_import=imp)
    assert calls["n"] == 2
    assert (Person.objects.count(), Membership.objects.count(), AuditLog.objects.count()) == state
    assert Person.objects.get(pk=cast.person_a.pk).position == ""
    assert _indexes() == indexes  # a large load's rebuilt indexes (SQLite) are back, rolled back with it
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.FAILED and imp.error
    # Once the cause is gone the same import can be committed.
    monkeypatch.setattr(services.BatchWriter, "write", original)
    services.request_commit(actor=cast.liaison_a, roster_import=imp)
    imp.refresh_from_db()
    imp = services.commit_import(roster_import=imp)
    assert imp.counts["new"] == 5 and Person.objects.count() == state[0] + 5
    assert _indexes() == indexes


def _indexes() -> dict:
    """Every index of the tables an import fills, with its columns and kind."""
    with connection.cursor() as cursor:
        return {(model._meta.db_table, name): (c["columns"], c["unique"], c["index"])
                for model in services.BULK_TABLES
                for name, c in connection.introspection.get_constraints(cursor, model._meta.db_table).items()}


def test_an_import_cannot_be_committed_twice(cast):
    imp = committed(cast.liaison_a, xlsx([row("某人", valid_id(), "朱集村")]))
    with pytest.raises(Conflict):
        services.request_commit(actor=cast.liaison_a, roster_import=imp)


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", True), ("utf-8", False), ("gbk", False),
                                               ("utf-16", False)])  # Python's utf-16 writes the BOM itself
def test_csv_in_utf8_with_or_without_bom_and_gbk(cast, encoding, bom):
    number = valid_id()
    upload = csv_file([row("欧阳娜", number, "召陵区/老窝镇/朱集村", political="中共预备党员")], encoding=encoding, bom=bom)
    imp = committed(cast.liaison_a, upload)
    assert imp.file_format == "csv" and imp.counts["new"] == 1, problems(imp)
    person = Person.objects.get(id_hash=crypto.blind_index(number, "id_number"))
    assert person.name == "欧阳娜" and person.political_status == "cpc_prob"


def test_xls_files_are_read(cast):
    pytest.importorskip("xlwt")
    number = valid_id(date(1975, 3, 8))
    imp = committed(cast.liaison_a, xls([row("马超", number, "朱集村", birth="1975年3月8日")]))
    assert imp.file_format == "xls" and imp.counts["new"] == 1, problems(imp)


def test_mapping_must_name_required_columns_once(cast):
    imp = services.start_import(actor=cast.liaison_a, upload=xlsx([row("某人", valid_id(), "朱集村")]))
    assert imp.mapping == {"name": 1, "id_number": 2, "gender": 3, "birth_date": 4, "ethnicity": 5, "phone": 6,
                           "political_status": 7, "position": 8, "rank_level": 9, "org": 10, "categories": 11}
    with pytest.raises(DomainError) as exc:
        services.configure_import(actor=cast.liaison_a, roster_import=imp, mapping={"name": 1, "id_number": 2},
                                  on_duplicate="skip", category_year=2026)
    assert exc.value.message == "请为必填项选择对应的列：所在组织。"
    with pytest.raises(DomainError) as exc:
        services.configure_import(actor=cast.liaison_a, roster_import=imp, on_duplicate="skip", category_year=2026,
                                  mapping={"name": 1, "id_number": 2, "org": 10, "position": 10})
    assert exc.value.message == "同一列不能对应两个项目：所在单位。"


def test_unsupported_and_empty_files_are_refused(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    stored_before = set(services.storage_dir("imports").iterdir())
    with pytest.raises(DomainError) as exc:  # neither UTF-8/16 nor GB18030 (once a 500)
        services.start_import(actor=cast.liaison_a, upload=SimpleUploadedFile("a.csv", b"\xff\xfe\x00garbage\xff"))
    assert exc.value.message == ("无法识别该 CSV 文件的文字编码。请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”或"
                                 "“CSV（逗号分隔）”后再上传。")
    assert exc.value.field == "file" and not RosterImport.objects.exists()
    assert set(services.storage_dir("imports").iterdir()) == stored_before  # the upload was not kept

    with pytest.raises(DomainError) as exc:
        services.start_import(actor=cast.liaison_a, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))
    assert exc.value.message == "只支持 .xlsx、.xls 和 .csv 文件，请另存为这几种格式后再上传。"
    with pytest.raises(DomainError) as exc:  # many systems "export to Excel" as a web page named .xls
        services.start_import(actor=cast.liaison_a, upload=SimpleUploadedFile("导出.xls", b"<html><table><tr><td>"))
    assert exc.value.message == ("该文件不是有效的 Excel 文件（可能已损坏，或是网页、文本改名而成），请用 Excel 打开后另存为 "
                                 ".xlsx 再上传。")
    with pytest.raises(DomainError) as exc:
        services.start_import(actor=cast.liaison_a, upload=SimpleUploadedFile("a.csv", b"\n\n"))
    assert exc.value.message == "文件中没有数据，请检查是否选错了文件或工作表。"
    assert not RosterImport.objects.exists()


def test_a_file_that_can_never_import_is_refused_at_upload(cast):
    """Too few columns for the required fields, or a header with nothing under it: said at once, not after
    a mapping step that could not succeed. A header above a few blank rows and then data is fine."""
    with pytest.raises(DomainError) as exc:
        services.start_import(actor=cast.liaison_a, upload=csv_file([["张三"]], headers=["hello"], name="a.txt"))
    assert exc.value.message == "文件只有 1 列，至少需要姓名、身份证号、所在组织这 3 列，请检查是否选错了文件或工作表。"
    for upload in (csv_file([]), xlsx([]), xlsx([[None] * 12] * 30)):
        with pytest.raises(DomainError) as exc:
            services.start_import(actor=cast.liaison_a, upload=upload)
        assert exc.value.message == "文件只有表头，没有人员数据行，请填写后再上传。"
    assert not RosterImport.objects.exists()
    imp = services.start_import(actor=cast.liaison_a, upload=xlsx([*([[None] * 12] * 25), row("张伟", valid_id(), "朱集村")]))
    assert imp.headers[1] == "姓名" and imp.mapping["name"] == 1


def test_numbers_are_not_kept_in_clear(cast, django_capture_on_commit_callbacks):
    from jingpei.roster.models import ImportRow

    bad = _wrong_check_digit(valid_id())
    imp = validated(cast.liaison_a, xlsx([row("甲", bad, "朱集村"), row("乙", valid_id(), "朱集村", seq=2)]))
    stored = ImportRow.objects.get(roster_import=imp)
    assert bad not in stored.values_cipher and bad not in str(stored.problems)
    assert stored.values[2] == bad  # for the rejected-rows file, decrypted on the way out
    path = services.storage_dir("imports") / imp.stored_name
    assert path.exists()
    services.request_commit(actor=cast.liaison_a, roster_import=imp)
    imp.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.commit_import(roster_import=imp)
    assert not path.exists()  # the uploaded file, all numbers in clear, is gone once imported


def test_large_xlsx_files_are_streamed_with_the_same_result(cast, monkeypatch):
    from jingpei.roster import readers

    monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE_BYTES", 0)
    number, bad = valid_id(date(1975, 3, 8)), _wrong_check_digit(valid_id())
    imp = committed(cast.liaison_a, xlsx([row("马超", number, "朱集村", birth=27461), row("错", bad, "朱集村", seq=2)]))
    assert imp.header_row == 2 and imp.counts["new"] == 1 and imp.counts["rejected"] == 1
    assert [(r, c) for r, c, _m in problems(imp)] == [(4, "公民身份号码")]
    assert Person.objects.get(id_hash=crypto.blind_index(number, "id_number")).birth_date == date(1975, 3, 8)


@pytest.mark.parametrize("streamed", [False, True])
def test_row_numbers_are_the_sheet_rows_when_the_table_starts_lower_and_further_right(cast, monkeypatch, streamed):
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jingpei.roster import readers

    if streamed:
        monkeypatch.setattr(readers, "STREAM_XLSX_ABOVE_BYTES", 0)
    book = openpyxl.Workbook()
    sheet = book.active
    for r, cells in enumerate([["姓名", "身份证号", "所在组织"], ["好人", valid_id(), "朱集村"], ["", valid_id(), "朱集村"]],
                              start=3):
        for c, value in enumerate(cells, start=2):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    imp = validated(cast.liaison_a, SimpleUploadedFile("偏移.xlsx", out.getvalue()))
    assert imp.header_row == 3
    assert problems(imp) == [(5, "姓名", "请填写姓名。")]


def test_running_the_commit_again_leaves_a_committed_import_alone(cast):
    imp = committed(cast.liaison_a, xlsx([row("某人", valid_id(), "朱集村")]))
    with pytest.raises(Conflict):
        services.commit_import(roster_import=imp)  # e.g. a job run twice
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.COMMITTED
