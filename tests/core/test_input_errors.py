"""The API's field errors answer in the user's language, with the limits the caller broke."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import pytest
from django.utils import translation
from pydantic import BaseModel, Field, ValidationError, field_validator

from jingpei.core.input_errors import field_message

pytestmark = pytest.mark.django_db


class Sample(BaseModel):
    held_on: date
    hours: Decimal = Field(gt=0, le=12, decimal_places=1)
    count: int = Field(ge=1, le=100)
    topic: Annotated[str, Field(min_length=2, max_length=5)] = "学习"
    form: Literal["online", "class", "meeting"] = "online"
    ids: list[int] = Field(default_factory=list, max_length=2)
    note: str = ""

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        if "x" in value:
            raise ValueError("备注不能含 x。")
        return value


def messages(**data) -> dict[str, str]:
    try:
        Sample(**data)
    except ValidationError as exc:
        return {".".join(map(str, e["loc"])): field_message(e) for e in exc.errors()}
    return {}


GOOD = {"held_on": "2026-03-08", "hours": "1.5", "count": 3}


@pytest.mark.parametrize(("change", "field", "expected"), [
    ({"held_on": "2026-02-30"}, "held_on", "须为有效日期，格式如 2026-03-08。"),
    ({"hours": "abc"}, "hours", "须为数字，如 1.5。"),
    ({"hours": "0"}, "hours", "须大于 0。"),
    ({"hours": "13"}, "hours", "不能大于 12。"),
    ({"hours": "1.25"}, "hours", "最多 1 位小数。"),
    ({"count": "三"}, "count", "须为整数。"),
    ({"count": 0}, "count", "不能小于 1。"),
    ({"topic": "学"}, "topic", "至少 2 个字符。"),
    ({"topic": "乡村振兴战略"}, "topic", "最多 5 个字符。"),
    ({"form": "tour"}, "form", "须为以下之一：'online'、'class'、'meeting'。"),
    ({"ids": [1, 2, 3]}, "ids", "最多 2 项。"),
    ({"ids": ["a"]}, "ids.0", "须为整数。"),
    ({"ids": "1,2"}, "ids", "须为列表。"),
    ({"note": "x"}, "note", "备注不能含 x。"),
])
def test_each_broken_rule_is_named_in_chinese(change, field, expected):
    data = {**GOOD, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with translation.override("zh-hans"):
        assert messages(**data)[field] == expected


def test_a_missing_field_and_english():
    with translation.override("zh-hans"):
        assert messages(hours="1")["held_on"] == "必填。"
    with translation.override("en"):
        assert messages(hours="1")["held_on"] == "Required."
        assert messages(**{**GOOD, "hours": "13"})["hours"] == "Must not be more than 12."


def test_the_api_answers_a_bad_body_field_by_field_in_chinese(cast, client_as):
    client = client_as(cast.secretary_a)
    response = client.post("/api/v1/activities/sessions", {"branch_id": cast.branch_a.pk, "held_on": "2026-02-30",
                                                           "topic": "学习", "hours": "一个半"}, content_type="application/json")
    assert response.status_code == 422
    fields = {f["field"]: f["message"] for f in response.json()["error"]["fields"]}
    assert fields["held_on"] == "须为有效日期，格式如 2026-03-08。" and fields["hours"] == "须为数字，如 1.5。"
    broken = client.post("/api/v1/activities/sessions", "{\"topic\": ", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json() == {"error": {"code": "bad_request", "message": "请求内容无法解析：请发送有效的 JSON。", "fields": []}}
