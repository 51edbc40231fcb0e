from __future__ import annotations

import pytest

from jingpei.core import params


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026", 2026), (" 2026 ", 2026), ("２０２６", 2026), (2026, 2026), ("2000", 2000), ("2100", 2100),
    ("1999", None), ("2101", None), ("-1", None), ("abc", None), ("1e309", None), ("0.00001", None), ("", None),
    (None, None), ("99999999999999999999", None),
])
def test_year(raw, expected):
    assert params.year(raw) == expected


@pytest.mark.parametrize("year", ["-1", "abc", "99999999999999999999"])
def test_pages_answer_a_bad_year_with_this_years_figures(cast, client_as, year):
    client = client_as(cast.officer)
    for url in ("/activities/meetings/", f"/ledger/org/{cast.district.pk}/", f"/ledger/person/{cast.person_a.pk}/"):
        assert client.get(url, {"year": year}).status_code == 200, url


@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (" 12 ", 12), ("１２", 12), ("0", 0), ("2147483647", 2_147_483_647),
    ("2147483648", None), ("99999999999999999999", None), ("-1", None), ("1.5", None), ("²", None),
    ("", None), (None, None), ("abc", None),
])
def test_number(raw, expected):
    assert params.number(raw) == expected


def test_numbers_keep_only_the_readable_ones():
    assert params.numbers(["3", "x", "99999999999999999999", "２", "²"]) == [3, 2]
