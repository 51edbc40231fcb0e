"""Fetching one row by an id that came from a URL, a form or a JSON body."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


MAX_ID = 2**63 - 1  # the largest primary key a database column holds


def id_or_404(value: object) -> int:
    """An id from a URL, a form or a JSON body as an int; 404 if it is not a usable id (a malformed or
    out-of-range value must never reach the database driver, where it would be a 500)."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not 0 < number <= MAX_ID:
        raise Http404
    return number


def get_or_404(queryset: QuerySet[M], object_id: int | str | None) -> M:
    """The row with primary key ``object_id`` in ``queryset``; 404 for a missing row or a malformed id
    (the same answer for both, so ids cannot be probed)."""
    try:
        return queryset.get(pk=id_or_404(object_id))
    except ObjectDoesNotExist:
        raise Http404 from None
