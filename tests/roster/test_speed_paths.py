"""The shortcuts the bulk import and export take for speed give exactly what the plain paths give:
cells cleaned once per distinct value, the sheet parsed once, raw look-ups, legacy ciphertexts."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from jingpei.core import crypto
from jingpei.orgs.models import Category, Person, PersonCategory
from jingpei.roster import exports, readers
from jingpei.roster.inserts import ids_by
from jingpei.roster.validation import RowChecker
from tests.factories import numbered, valid_id
from tests.roster.builders import HEADERS, committed, problems, row, xlsx

pytestmark = pytest.mark.django_db

MAPPING = {"name": 1, "id_number": 2, "gender": 3, "birth_date": 4, "ethnicity": 5, "phone": 6,
           "political_status": 7, "position": 8, "rank_level": 9, "org": 10}


def _checker(user) -> RowChecker:
    return RowChecker(actor=user, headers=HEADERS, mapping=MAPPING)


def test_a_repeated_bad_cell_is_reported_on_every_row_with_the_same_message(cast):
    checker = _checker(cast.liaison_a)
    first = checker.check(3, row("张伟", valid_id(), "不存在村"))
    again = checker.check(4, row("李娜", valid_id(), "不存在村"))
    assert first.outcome == again.outcome == "rejected"
    assert first.problems == again.problems == [{
        "column": "所在单位", "level": "error",
        "message": "找不到组织“不存在村”，请填写系统中的组织全称或完整路径（如 召陵区/老窝镇/朱集村）。"}]
    # a cached good cell next to a bad one: only the bad one is reported
    third = checker.check(5, row("王五", valid_id(), "朱集村", ethnicity="火星族"))
    assert [p["column"] for p in third.problems] == ["民族"]
    assert checker.check(6, row("王五", valid_id(), "朱集村")).clean.org_id == cast.village_a.pk


def test_cells_equal_as_keys_but_of_other_types_are_cleaned_apart(cast):
    """1.0 and True are one dict key, but a number cell and a yes-cell read differently."""
    checker = _checker(cast.liaison_a)
    as_number = checker.check(3, row("张伟", valid_id(), "朱集村", gender=1.0))
    as_bool = checker.check(4, row("张伟", valid_id(), "朱集村", gender=True))
    assert as_number.problems[0]["message"] == "性别“1”无法识别，请填写“男”或“女”。"
    assert as_bool.problems[0]["message"] == "性别“是”无法识别，请填写“男”或“女”。"


def test_the_sheet_is_parsed_once_per_reading(cast, monkeypatch, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx([row("张伟", valid_id(), "朱集村")]).read())
    opened = []
    real = readers.CalamineWorkbook.from_path
    monkeypatch.setattr(readers.CalamineWorkbook, "from_path", lambda p: opened.append(p) or real(p))
    table = readers.open_table(path, "xlsx")
    rows = list(table.rows())
    assert len(opened) == 1 and rows[2][1] == "张伟" and table.total == 3


def test_raw_look_up_of_ids_matches_the_orm(cast):
    hashes = [cast.person_a.id_hash, cast.person_b.id_hash, "not-a-hash"]
    assert ids_by(Person, "id_hash", hashes) == dict(
        Person.objects.filter(id_hash__in=hashes).values_list("id_hash", "id"))
    assert ids_by(Person, "id_hash", []) == {}


def test_imported_numbers_are_in_the_new_format_and_rejected_rows_come_back_exact(cast):
    good, other = valid_id(), valid_id()
    bad = other[:-1] + ("1" if other[-1] == "0" else "0")  # a wrong check digit
    imp = committed(cast.liaison_a, xlsx([row("张伟", good, "朱集村", phone="13800001234"),
                                          row("李娜", bad, "朱集村", seq=2)]))
    person = Person.objects.get(id_hash=crypto.blind_index(good, "id_number"))
    assert person.id_cipher.startswith(crypto.PREFIX) and person.phone_cipher.startswith(crypto.PREFIX)
    assert person.reveal_id_number() == good and person.reveal_phone() == "13800001234"
    assert problems(imp) == [(4, "公民身份号码", f"身份证号 {crypto.mask_id_number(bad)} 的校验位不正确"
                                             f"（应为 {ric.calc_check_digit(bad)}），请核对是否有数字录错。")]
    rejected = imp.rows.get()
    assert rejected.values_cipher.startswith(crypto.PREFIX)
    assert rejected.values[1:3] == ["李娜", bad]


def test_export_reveals_numbers_stored_in_either_format(cast):
    legacy = crypto._fernet(crypto._keys()).encrypt(b"110101198001010053").decode()
    Person.objects.filter(pk=cast.person_a.pk).update(id_cipher=legacy)
    qs = exports.export_queryset(cast.officer, org=cast.town_a)
    stats = {"rows": 0, "revealed": 0}
    cells = {r[0]: r for r in exports.export_rows(qs, year=2026, stats=stats)}
    assert cells[cast.person_a.name][1] == "110101198001010053"
    assert cells[cast.person_a2.name][1] == cast.person_a2.reveal_id_number()
    assert stats == {"rows": 2, "revealed": 2}


def test_exported_categories_are_the_years_in_the_categories_order(cast):
    # PostgreSQL brings the ids with each row, SQLite asks once a chunk: both give the same cell.
    first = Category.objects.create(code="c-first", name="甲类", sort_order=1)
    second = Category.objects.create(code="c-second", name="乙类", sort_order=2)
    other = Category.objects.create(code="c-other", name="丙类", sort_order=3)
    for cat in (second, first):
        PersonCategory.objects.create(person=cast.person_a, category=cat, year=2026)
    PersonCategory.objects.create(person=cast.person_a, category=other, year=2025)
    qs = exports.export_queryset(cast.liaison_a, org=cast.town_a, year=2026)
    cells = {r[0]: r for r in exports.export_rows(qs, year=2026, stats={"rows": 0, "revealed": 0})}
    assert cells[cast.person_a.name][-1] == "甲类、乙类"
    assert cells[cast.person_a2.name][-1] == ""


def test_exported_cells_are_text_never_formulas_or_links(tmp_path):
    import zipfile

    path = tmp_path / "out.xlsx"
    rows = [["=HYPERLINK(\"http://x.example\",\"点我\")", "4111**********1234", "", "1975-03-08", "汉族", "",
             "中共党员", "http://x.example", "", "召陵区/老窝镇", ""]]
    assert exports.write_xlsx(path, iter(rows)) == 1
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    data = sheet[sheet.index('<row r="2"'):]
    assert "<f>" not in data and "<hyperlink" not in sheet
    assert '<t>=HYPERLINK("http://x.example","点我")</t>' in data and "<t>http://x.example</t>" in data
    assert data.count('t="inlineStr"') == 7  # the seven non-empty cells; empty ones are left out


def test_a_failure_on_the_writer_thread_undoes_the_whole_import(cast, monkeypatch):
    """The inserts run on a writer thread; its error still reaches the commit, which rolls back
    everything, batches already written included."""
    from django.db import IntegrityError

    from jingpei.core.errors import DomainError
    from jingpei.core.models import AuditLog
    from jingpei.roster import inserts, services
    from jingpei.roster.models import RosterImport
    from tests.roster.builders import validated

    monkeypatch.setattr(services, "BATCH", 2)
    imp = validated(cast.liaison_a, xlsx([row(numbered("人员", i), valid_id(), "朱集村", seq=i) for i in range(5)]))
    before = (Person.objects.count(), AuditLog.objects.count())
    real, calls = inserts.execute, []

    def failing(prepared, conn=None):
        calls.append(prepared.table if prepared else None)
        if prepared is not None and prepared.table == Person._meta.db_table and calls.count(prepared.table) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(prepared, conn)

    monkeypatch.setattr(inserts, "execute", failing)
    services.request_commit(actor=cast.liaison_a, roster_import=imp)
    with pytest.raises(DomainError, match="导入期间数据发生变化"):
        services.commit_import(roster_import=imp)
    assert calls.count(Person._meta.db_table) == 2  # the first batch was in when the second failed
    assert (Person.objects.count(), AuditLog.objects.count()) == before
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.FAILED and "已全部撤销" in imp.error
    monkeypatch.setattr(inserts, "execute", real)
    services.request_commit(actor=cast.liaison_a, roster_import=imp)
    imp.refresh_from_db()
    assert services.commit_import(roster_import=imp).counts["new"] == 5
    assert Person.objects.count() == before[0] + 5


def test_people_get_ids_never_given_before(cast):
    """Ids are allocated before the insert; one deleted at the top of the table is not given again."""
    from tests.factories import make_person

    gone = make_person(cast.branch_a, "临时")
    gone_id = gone.pk
    Person.objects.filter(pk=gone_id).delete()
    committed(cast.liaison_a, xlsx([row("张伟", valid_id(), "朱集村"), row("李娜", valid_id(), "朱集村", seq=2)]))
    new_ids = sorted(Person.objects.filter(name__in=["张伟", "李娜"]).values_list("id", flat=True))
    assert new_ids[0] > gone_id and new_ids[1] == new_ids[0] + 1
    assert make_person(cast.branch_a, "之后").pk > new_ids[1]  # the sequence moved past them too


@pytest.mark.parametrize("threshold, analysed", [(2, True), (3, False)])
def test_a_large_import_refreshes_the_planner_statistics_on_postgresql(cast, monkeypatch, threshold, analysed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jingpei.roster import services

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    monkeypatch.setattr(services, "ANALYZE_AFTER_ROWS", threshold)
    rows = [row("张伟", valid_id(), "朱集村", seq=1), row("李娜", valid_id(), "朱集村", seq=2)]
    with CaptureQueriesContext(connection) as ctx:
        imp = committed(cast.liaison_a, xlsx(rows))
    assert imp.counts["new"] == 2
    statements = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]
    assert statements == (['ANALYZE "orgs_person", "orgs_membership", "orgs_personcategory"'] if analysed else [])
