"""Pydantic's field errors in the user's language.

The API validates bodies and parameters with Pydantic (through Django Ninja), whose messages are English
("Field required", "Input should be a valid date…"). Each error carries a stable ``type`` and its limits in
``ctx``; the message is chosen here by type, with the limits put in, and translated like every other string.
Pydantic's documented error types: https://docs.pydantic.dev/latest/errors/validation_errors/
"""

from __future__ import annotations

from django.utils.translation import gettext as _

_INTEGER = ("int_type", "int_parsing", "int_from_float", "int_parsing_size")
_NUMBER = ("float_type", "float_parsing", "decimal_type", "decimal_parsing", "finite_number")
_DATE = ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact")
_DATETIME = ("datetime_type", "datetime_parsing", "datetime_from_date_parsing", "datetime_object_invalid")
_TEXT = ("string_type", "string_unicode", "string_sub_type")
_LIST = ("list_type", "tuple_type", "set_type", "iterable_type")
_OBJECT = ("dict_type", "model_type", "model_attributes_type", "dataclass_type")


def field_message(error: dict) -> str:
    """The message for one of Pydantic's ``errors()`` items."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("必填。")
    if kind in _INTEGER:
        return _("须为整数。")
    if kind in _NUMBER:
        return _("须为数字，如 1.5。")
    if kind in ("bool_type", "bool_parsing"):
        return _("须为 true 或 false。")
    if kind in _DATE:
        return _("须为有效日期，格式如 2026-03-08。")
    if kind in _DATETIME:
        return _("须为有效的日期时间，格式如 2026-03-08T09:30:00。")
    if kind in ("time_type", "time_parsing"):
        return _("须为有效时间，格式如 09:30。")
    if kind in _TEXT:
        return _("须为文字。")
    if kind in _LIST:
        return _("须为列表。")
    if kind in _OBJECT:
        return _("须为对象（JSON 对象）。")
    if kind in ("uuid_type", "uuid_parsing"):
        return _("须为有效的编号（UUID）。")
    if kind == "string_too_short":
        return _("至少 %(n)s 个字符。") % {"n": ctx.get("min_length")} if ctx.get("min_length", 0) > 1 else _("不能为空。")
    if kind == "string_too_long":
        return _("最多 %(n)s 个字符。") % {"n": ctx.get("max_length")}
    if kind == "too_short":
        return _("至少 %(n)s 项。") % {"n": ctx.get("min_length")}
    if kind == "too_long":
        return _("最多 %(n)s 项。") % {"n": ctx.get("max_length")}
    if kind == "greater_than":
        return _("须大于 %(n)s。") % {"n": ctx.get("gt")}
    if kind == "greater_than_equal":
        return _("不能小于 %(n)s。") % {"n": ctx.get("ge")}
    if kind == "less_than":
        return _("须小于 %(n)s。") % {"n": ctx.get("lt")}
    if kind == "less_than_equal":
        return _("不能大于 %(n)s。") % {"n": ctx.get("le")}
    if kind == "multiple_of":
        return _("须为 %(n)s 的整数倍。") % {"n": ctx.get("multiple_of")}
    if kind == "decimal_max_places":
        return _("最多 %(n)s 位小数。") % {"n": ctx.get("decimal_places")}
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return _("数值位数过多。")
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ").replace(", ", "、")
        return _("须为以下之一：%(v)s。") % {"v": expected}
    if kind == "extra_forbidden":
        return _("不认识这个字段。")
    if kind == "json_invalid":
        return _("请求内容不是有效的 JSON。")
    if kind in ("value_error", "assertion_error"):  # our own validators: their message is already ours
        reason = ctx.get("error")
        return str(reason) if reason else _("值无效。")
    return _("值无效。")
