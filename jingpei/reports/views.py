from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from jingpei.core import params
from jingpei.core.filetypes import XLSX
from jingpei.core.models import Job
from jingpei.core.permissions import Perm
from jingpei.orgs.access import trail
from jingpei.reports import access, exports, jobs

YEARS_OFFERED = 5  # this year and the four before


def _year(request) -> int:
    """The year asked for, or this year for none, one to come or a malformed one."""
    this_year = timezone.localdate().year
    year = params.number(request.GET.get("year"))
    return year if year is not None and 2000 <= year <= this_year else this_year


@login_required
def index(request):
    roots = access.roots(request.user)
    if not roots:
        raise Http404
    return redirect("reports:year", roots[0].pk)


@login_required
def year(request, org_id):
    root = access.get_subtree(request.user, org_id)
    year = _year(request)
    figures = jobs.figures_for(request.user, root, year, recompute=request.method == "POST")
    if isinstance(figures, Job):
        return redirect("job", figures.pk)
    this_year = timezone.localdate().year
    return render(request, "reports/year.html", {
        "root": root, "year": year, "figures": figures, "title": exports.title(figures),
        "years": sorted({*range(this_year, this_year - YEARS_OFFERED, -1), year}, reverse=True),
        "trail": trail(request.user, root, Perm.REPORT_VIEW),
        "chart_json": json.dumps(figures.chart, ensure_ascii=False),
        "year_end": f"{year}-12-31" if year < this_year else "",
    })


@login_required
def year_xlsx(request, org_id):
    root = access.get_subtree(request.user, org_id)
    figures = jobs.figures_for(request.user, root, _year(request))
    if isinstance(figures, Job):
        return redirect("job", figures.pk)
    response = HttpResponse(exports.workbook(figures), content_type=XLSX)
    # The title as the file's name (RFC 6266's filename* for the Chinese), as officials file it.
    response["Content-Disposition"] = content_disposition_header(True, f"{exports.title(figures)}.xlsx")
    return response
