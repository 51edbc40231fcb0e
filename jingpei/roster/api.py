"""Roster JSON API under /api/v1/roster/: the same steps as the pages, for scripts and integrations."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jingpei.core.apitypes import Id, JobOut, Year
from jingpei.orgs.access import get_org
from jingpei.roster import services
from jingpei.roster.access import get_export, get_import, own_imports
from jingpei.roster.models import RosterImport

router = Router(tags=["roster"])


class ImportOut(Schema):
    id: int
    filename: str
    status: str
    file_sha256: str
    header_row: int
    headers: list[str]
    mapping: dict[str, int]
    on_duplicate: str
    category_year: int
    counts: dict[str, int]
    error: str
    created_at: datetime
    committed_at: datetime | None = None


class ProblemOut(Schema):
    row: int
    column: str
    message: str
    level: str


class MappingIn(Schema):
    mapping: dict[str, int | None]
    on_duplicate: str = "skip"
    category_year: Year


class ExportIn(Schema):
    q: str = ""
    org: Id | None = None
    category: Id | None = None
    year: Year | None = None


class ExportOut(Schema):
    id: int
    rows: int
    revealed: int
    ready: bool
    job_id: UUID | None = None


def _export_out(export) -> ExportOut:
    return ExportOut(id=export.pk, rows=export.rows, revealed=export.revealed, ready=bool(export.stored_name),
                     job_id=export.job_id)


@router.get("/imports", response=list[ImportOut])
@paginate
def list_imports(request):
    return own_imports(request.user)


@router.post("/imports", response={201: ImportOut})
def upload(request, file: File[UploadedFile]):
    return Status(201, services.start_import(actor=request.user, upload=file))


@router.get("/imports/{import_id}", response=ImportOut)
def import_detail(request, import_id: int):
    return get_import(request.user, import_id)


@router.get("/imports/{import_id}/problems", response=list[ProblemOut])
@paginate
def import_problems(request, import_id: int, rejected: bool = True):
    imp: RosterImport = get_import(request.user, import_id)
    return [ProblemOut(row=r.row, **p) for r in imp.rows.filter(rejected=rejected) for p in r.problems]


@router.post("/imports/{import_id}/mapping", response={202: JobOut})
def import_mapping(request, import_id: int, payload: MappingIn):
    imp = get_import(request.user, import_id)
    job = services.configure_import(actor=request.user, roster_import=imp, mapping=payload.mapping,
                                    on_duplicate=payload.on_duplicate, category_year=payload.category_year)
    return Status(202, JobOut.of(job))


@router.post("/imports/{import_id}/commit", response={202: JobOut})
def import_commit(request, import_id: int):
    imp = get_import(request.user, import_id)
    return Status(202, JobOut.of(services.request_commit(actor=request.user, roster_import=imp)))


@router.post("/exports", response={202: ExportOut})
def start_export(request, payload: ExportIn):
    org = get_org(request.user, payload.org) if payload.org else None
    export = services.start_export(actor=request.user, query=payload.q, org=org, category_id=payload.category,
                                   year=payload.year)
    return Status(202, _export_out(export))


@router.get("/exports/{export_id}", response=ExportOut)
def export_detail(request, export_id: int):
    return _export_out(get_export(request.user, export_id))
