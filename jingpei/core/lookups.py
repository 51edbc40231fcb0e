"""Fetching one row by an id that came from a URL, a form or a JSON body."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def get_or_404(queryset: QuerySet[M], object_id: int | str | None) -> M:
    """The row with primary key ``object_id`` in ``queryset``; 404 for a missing row or a malformed id
    (the same answer for both, so ids cannot be probed)."""
    try:
        return queryset.get(pk=int(object_id or 0))
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise Http404 from None
