from datetime import date

import pytest
from stdnum.cn import ric

from jingpei.core.errors import DomainError
from jingpei.orgs.idnumbers import clean_id_number, parse_id_number
from tests.factories import valid_id


def test_valid_number_gives_birth_date_and_gender():
    number = valid_id(date(1975, 3, 8), male=False)
    parsed = parse_id_number(number)
    assert parsed.birth_date == date(1975, 3, 8)
    assert parsed.gender == "F"
    assert parsed.warnings == []


def test_full_width_digits_spaces_and_lowercase_x_are_cleaned():
    assert clean_id_number(" １１０１０５ 19491231002x ") == "11010519491231002X"
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"


def test_wrong_check_digit_names_the_expected_digit():
    number = valid_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        parse_id_number(wrong)
    assert "校验位不正确" in exc.value.message
    assert f"应为 {number[-1]}" in exc.value.message


def test_impossible_birth_date_is_refused():
    body = "41110419750230001"
    with pytest.raises(DomainError, match="出生日期 19750230 不是有效日期"):
        parse_id_number(body + ric.calc_check_digit(body + "0"))


def test_wrong_length_says_how_many_digits():
    with pytest.raises(DomainError, match="应为 18 位，当前为 17 位"):
        parse_id_number("41110419750308123")


def test_unknown_region_code_is_a_warning_not_a_rejection():
    number = valid_id(region="999999")
    parsed = parse_id_number(number)
    assert parsed.warnings and "999999" in parsed.warnings[0]
