"""Pydantic's field errors in the user's language.

The API validates bodies and parameters with Pydantic (through Django Ninja), whose messages are English
("Field required", "Input should be a valid date…"). Each error carries a stable ``type`` and its limits in
``ctx``; the message is chosen here by type, with the limit put in, and translated like every other string.
Pydantic's documented error types: https://docs.pydantic.dev/latest/errors/validation_errors/
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_FIXED: dict[str, Promise] = {kind: message for kinds, message in [
    (("missing",), gettext_lazy("必填。")),
    (("int_type", "int_parsing", "int_from_float", "int_parsing_size"), gettext_lazy("须为整数。")),
    (("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number"),
     gettext_lazy("须为数字，如 1.5。")),
    (("bool_type", "bool_parsing"), gettext_lazy("须为 true 或 false。")),
    (("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"),
     gettext_lazy("须为有效日期，格式如 2026-03-08。")),
    (("datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid"),
     gettext_lazy("须为有效的日期时间，格式如 2026-03-08T09:30:00。")),
    (("time_type", "time_parsing"), gettext_lazy("须为有效时间，格式如 09:30。")),
    (("string_type", "string_unicode", "string_sub_type"), gettext_lazy("须为文字。")),
    (("list_type", "tuple_type", "set_type", "iterable_type"), gettext_lazy("须为列表。")),
    (("dict_type", "model_type", "model_attributes_type", "dataclass_type"), gettext_lazy("须为对象（JSON 对象）。")),
    (("uuid_type", "uuid_parsing"), gettext_lazy("须为有效的编号（UUID）。")),
    (("decimal_max_digits", "decimal_whole_digits"), gettext_lazy("数值位数过多。")),
    (("extra_forbidden",), gettext_lazy("不认识这个字段。")),
    (("json_invalid",), gettext_lazy("请求内容不是有效的 JSON。")),
] for kind in kinds}

# type: (message, the ctx key of the limit it names)
_LIMITED: dict[str, tuple[Promise, str]] = {
    "string_too_long": (gettext_lazy("最多 %(n)s 个字符。"), "max_length"),
    "too_short": (gettext_lazy("至少 %(n)s 项。"), "min_length"),
    "too_long": (gettext_lazy("最多 %(n)s 项。"), "max_length"),
    "greater_than": (gettext_lazy("须大于 %(n)s。"), "gt"),
    "greater_than_equal": (gettext_lazy("不能小于 %(n)s。"), "ge"),
    "less_than": (gettext_lazy("须小于 %(n)s。"), "lt"),
    "less_than_equal": (gettext_lazy("不能大于 %(n)s。"), "le"),
    "multiple_of": (gettext_lazy("须为 %(n)s 的整数倍。"), "multiple_of"),
    "decimal_max_places": (gettext_lazy("最多 %(n)s 位小数。"), "decimal_places"),
}


def field_message(error: dict) -> str:
    """The message for one of Pydantic's ``errors()`` items."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _FIXED:
        return str(_FIXED[kind])
    if kind in _LIMITED:
        message, key = _LIMITED[kind]
        return str(message) % {"n": ctx.get(key)}
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return _("至少 %(n)s 个字符。") % {"n": minimum} if minimum > 1 else _("不能为空。")
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace(", ", "、")
        return _("须为以下之一：%(v)s。") % {"v": expected}
    if kind in ("value_error", "assertion_error"):  # our own validators: their message is already ours
        reason = ctx.get("error")
        return str(reason) if reason else _("值无效。")
    return _("值无效。")
