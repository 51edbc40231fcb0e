"""The year figures as JSON (the page's own data): 202 with the job for a subtree counted in the
background, then 200 with its result."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from jingpei.core.apitypes import Id, JobOut, Year
from jingpei.core.errors import DomainError
from jingpei.core.models import Job
from jingpei.reports import access, jobs

router = Router(tags=["统计报表"])


class TableOut(Schema):
    title: str
    columns: list[str]
    rows: list[list[str | int | float]]
    money: list[int]  # the columns in yuan


class YearFiguresOut(Schema):
    org_id: int
    org_name: str
    year: int
    made_at: str
    key: list[list[str | int | float]]  # [label, value, unit]
    tables: list[TableOut]
    chart: dict


@router.get("/year/{org_id}", response={200: YearFiguresOut, 202: JobOut})
def year_figures(request, org_id: Id, year: Year):
    root = access.get_subtree(request.user, org_id)
    if year > timezone.localdate().year:
        raise DomainError(_("年度不能晚于今年。"), field="year")
    figures = jobs.figures_for(request.user, root, year)
    if isinstance(figures, Job):
        return Status(202, JobOut.of(figures))
    return figures.as_json()
