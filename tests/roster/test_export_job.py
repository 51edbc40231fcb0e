"""The export as the job runs it outside any test transaction: several chunks streamed (on PostgreSQL
inside one read transaction, read a chunk ahead on a helper thread, progress on a side connection)."""

from __future__ import annotations

import openpyxl
import pytest
from django.db import connection

from jingpei.core.models import Job
from jingpei.roster import exports, services
from tests.factories import make_person, numbered

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_export_job_streams_every_chunk_and_ends_with_its_progress_complete(cast, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 4)
    for i in range(9):
        make_person(cast.branch_a, numbered("测试", i), phone=f"1380000{i:04d}")
    expected = sorted(exports.export_queryset(cast.officer).values_list("name", flat=True))

    export = services.start_export(actor=cast.officer)

    export.refresh_from_db()
    job = export.job
    assert job.status == Job.Status.DONE, job.error
    assert not connection.in_atomic_block  # the read transaction ended with the export
    book = openpyxl.load_workbook(services.storage_dir("exports") / export.stored_name, read_only=True)
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == expected and len(expected) > 2 * exports.CHUNK
    assert export.rows == job.done == len(expected) and export.revealed == len(expected)
    phones = {r[0]: r[5] for r in rows}  # the officer's file has whole numbers
    assert [phones[numbered("测试", i)] for i in range(9)] == [f"1380000{i:04d}" for i in range(9)]
