"""The generic filters of the ``jingpei`` template library."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingpei.core.templatetags.jingpei import cell_class, duration, hours


@pytest.mark.parametrize(("value", "expected"), [
    (date(2026, 3, 1), "text-nowrap"), (Decimal("18.0"), "text-nowrap"), (3, "text-nowrap"),
    ("已通过", ""), ("乡村振兴专题培训班", "jp-col-mid"), ("这次培训时间紧、内容实，专家讲解深入浅出，现场教学让人印象深刻。", "jp-col-long"),
    (None, ""),
])
def test_cell_class_keeps_dates_and_figures_on_one_line_and_gives_text_room(value, expected):
    assert cell_class(value) == expected


def test_duration_reads_as_people_say_it():
    assert (duration(30), duration(59), duration(60), duration(2700)) == ("30 秒", "59 秒", "1 分钟", "45 分钟")


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("1.00"), "1.0"), (Decimal("0.50"), "0.5"), (Decimal("0.25"), "0.25"), (Decimal("12"), "12.0"),
    ("3.5", "3.5"), (None, ""),
])
def test_hours_keep_one_decimal_and_a_micro_courses_two(value, expected):
    assert hours(value) == expected
