"""The JSON API under /api/v1/: composition of each app's Ninja router, one error shape for all.

Errors always answer ``{"error": {"code": ..., "message": ..., "fields": [{"field", "message"}]}}``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from jingpei.core.appmodules import app_modules
from jingpei.core.errors import DomainError
from jingpei.core.input_errors import field_message

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="精培 Jingpei API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    description="精准培训平台 JSON 接口。所有数据按调用者的授权范围过滤。",
)


def error_body(code: str, message: str, fields: list[dict] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or []}}


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    fields = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return api.create_response(request, error_body(exc.code, exc.message, fields), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc), "message": field_message(err)})
    return api.create_response(
        request, error_body("invalid", _("提交的数据有误，请检查标出的字段。"), fields), status=422
    )


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request, exc: DjangoValidationError):
    return api.create_response(request, error_body("invalid", " ".join(exc.messages)), status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request, exc):
    """A number no column holds (a path id past 64 bits; PostgreSQL's "out of range"): the caller's value,
    so a 422 and not a 500. Parameters and bodies declare their bounds (core.apitypes); this is the net."""
    logger.warning("API value out of range on %s: %s", request.path, exc)
    return api.create_response(request, error_body("invalid", _("提交的数值超出允许范围。")), status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(
        request, error_body("not_found", _("未找到该对象，或您无权查看。")), status=404
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, error_body("forbidden", _("您没有执行该操作的权限。")), status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, error_body("unauthenticated", _("请先登录。")), status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """Ninja's own refusals, which it words in English: a body that is not JSON (400), too many requests."""
    if exc.status_code == 400:
        return api.create_response(request, error_body("bad_request", _("请求内容无法解析：请发送有效的 JSON。")),
                                   status=400)
    if exc.status_code == 429:
        return api.create_response(request, error_body("throttled", _("请求过于频繁，请稍后再试。")), status=429)
    return api.create_response(request, error_body("error", _("请求无法处理。")), status=exc.status_code)


for config, module in app_modules("api"):
    # An app exposes ``routers = [(prefix, router), ...]`` or a single ``router`` mounted at its label.
    for prefix, router in getattr(module, "routers", None) or [
        (config.label, getattr(module, "router", None))
    ]:
        if router is not None:
            api.add_router(f"/{prefix}/", router)
