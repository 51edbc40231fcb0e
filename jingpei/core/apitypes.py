"""Bounded numbers for the API's parameters and request bodies.

A plain ``int`` lets through what no database row can hold (year 0, an id past 64 bits, an offset of 10^18)
and what Python's dates refuse: such a value then failed deep inside a query as a 500. Declared here, it is
a 422 naming the field, and the bounds show in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from ninja import Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]  # every table's key is a 64-bit BigAutoField
Year = Annotated[int, Field(ge=2000, le=2100)]
PageNumber = Annotated[int, Field(ge=1, le=1_000_000)]
Limit = Annotated[int, Field(ge=1, le=500)]
Offset = Annotated[int, Field(ge=0, le=100_000_000)]


class BoundedLimitOffset(LimitOffsetPagination):
    """Ninja's limit/offset pagination (settings.NINJA_PAGINATION_CLASS) with an offset a query can hold:
    Ninja bounds only its lower end."""

    class Input(Schema):
        limit: Limit = 20
        offset: Offset = 0


class JobOut(Schema):
    """A background job the call started or is waiting for: ``url`` is its progress page."""

    job_id: UUID
    url: str

    @classmethod
    def of(cls, job) -> JobOut:
        from django.urls import reverse

        return cls(job_id=job.pk, url=reverse("job", args=[job.pk]))
