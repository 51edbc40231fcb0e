"""任现职级时间 in the roster import: cleaned like other dates (a month alone is its first day), checked
against the rank and the birth date on its row, and a promotion recorded in the rank history."""

from __future__ import annotations

from datetime import date

import pytest

from jingpei.core.models import AuditLog
from jingpei.orgs.models import Person, PersonRank
from tests.factories import valid_id
from tests.roster.builders import HEADERS, committed, problems, xlsx

pytestmark = pytest.mark.django_db
RANK_HEADERS = [*HEADERS, "任现职级时间"]


def ranked(name, number, rank, since, *, seq=1):
    return [seq, name, number, "", "", "汉族", "", "中共党员", "", rank, "召陵区/老窝镇/朱集村", "", since]


def test_dates_as_rosters_keep_them_start_the_rank_history(cast):
    a, b = valid_id(date(1975, 3, 8)), valid_id(date(1980, 5, 17))
    imp = committed(cast.liaison_a, xlsx([ranked("钱进", a, "乡科级正职", "2021.03"),
                                          ranked("孙升", b, "县处级副职", "2025年6月10日", seq=2)], headers=RANK_HEADERS))
    assert imp.counts["new"] == 2, problems(imp)
    assert list(PersonRank.objects.order_by("person__name").values_list("person__name", "rank_level", "since")) == [
        ("孙升", "county_deputy", date(2025, 6, 10)), ("钱进", "section_chief", date(2021, 3, 1))]
    created = AuditLog.objects.get(action="person.import.create", object_repr="孙升")
    assert created.after["rank_since"] == "2025-06-10"


def test_bad_dates_are_rejected_on_their_row_and_column(cast):
    imp = committed(cast.liaison_a, xlsx([
        ranked("钱进", valid_id(date(1975, 3, 8)), "乡科级正职", "去年三月"),
        ranked("孙升", valid_id(date(1980, 5, 17)), "", "2021-03", seq=2),
        ranked("李早", valid_id(date(1980, 5, 17)), "科员及以下", "1990-01-01", seq=3),
        ranked("周年", valid_id(date(1980, 5, 17)), "科员及以下", "2021", seq=4),  # a year: which month?
    ], headers=RANK_HEADERS))
    assert sorted(problems(imp)) == [
        (3, "任现职级时间", "任现职级时间“去年三月”无法识别，请填写如 2021-03、2021/3/15 或 2021年3月。"),
        (4, "任现职级时间", "填写了任现职级时间，请同时填写职级。"),
        (5, "任现职级时间", "任现职级时间（1990-01-01）与出生日期不符，请核对。"),
        (6, "任现职级时间", "任现职级时间“2021”无法识别，请填写如 2021-03、2021/3/15 或 2021年3月。"),
    ]
    assert imp.counts["new"] == 0 and not Person.objects.filter(name__in=["钱进", "孙升", "李早", "周年"]).exists()


def test_a_promotion_by_import_needs_its_date_and_is_recorded(cast):
    number = valid_id(date(1975, 3, 8))
    committed(cast.liaison_a, xlsx([ranked("钱进", number, "乡科级正职", "2021-03")], headers=RANK_HEADERS))
    # promoted, the old date left in the file: refused on the date, nothing changes
    imp = committed(cast.liaison_a, xlsx([ranked("钱进", number, "县处级副职", "2021-03")], headers=RANK_HEADERS),
                    on_duplicate="update")
    assert problems(imp) == [(3, "任现职级时间", "职级已变更，请同时填写新职级的任职时间。")]
    assert Person.objects.get(name="钱进").rank_level == "section_chief"
    imp = committed(cast.liaison_a, xlsx([ranked("钱进", number, "县处级副职", "2025-06-10")], headers=RANK_HEADERS),
                    on_duplicate="update")
    assert imp.counts["updated"] == 1, problems(imp)
    person = Person.objects.get(name="钱进")
    assert (person.rank_level, person.rank_since) == ("county_deputy", date(2025, 6, 10))
    assert list(person.ranks.values_list("rank_level", "since")) == [
        ("section_chief", date(2021, 3, 1)), ("county_deputy", date(2025, 6, 10))]
