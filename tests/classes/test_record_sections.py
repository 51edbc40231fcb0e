"""The classes' part of the training record: the certificate of a completed class and the reflection
note, on the person page, in the PDF and in the Excel file."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jingpei.classes import services
from jingpei.classes.models import Certificate
from jingpei.ledger import records
from tests.classes.conftest import enrol

NOTE = "通过学习，我对壮大村集体经济有了更深的理解和认识，回村后要把合作社办起来，带动更多群众增收致富，" \
       "并把学到的经验讲给支部党员听。"


@pytest.fixture
def completed(cast, klass, session, head):
    e = enrol(cast, klass, cast.person_a)
    services.sign_in(actor=None, session=session, enrolment=e)
    r = services.submit_reflection(actor=cast.trainee, enrolment=e, text=NOTE)
    services.review_reflection(actor=head, reflection=r, action="best")
    services.complete_class(actor=head, klass=klass)
    return Certificate.objects.get(enrolment=e)


def test_the_record_holds_the_certificate_and_the_reflection(cast, completed):
    year = completed.end_date.year
    record = records.training_record(cast.person_a, year)
    by_title = {s.title: s for s in record.sections}
    (cert_row,) = by_title["结业证书"].rows
    assert cert_row == (completed.serial, "乡村振兴专题培训班", completed.start_date, completed.end_date, completed.hours,
                        timezone.localdate(completed.issued_at))
    (note_row,) = by_title["培训心得"].rows
    assert note_row[0] == "乡村振兴专题培训班" and note_row[2] == "已通过（优秀）"
    assert note_row[3] == NOTE[:60] + "…"  # an excerpt: the whole text stays on the class's pages
    assert note_row[1] == timezone.localdate()
    # another person, and another year, have none of it
    assert all(not s.rows for s in records.training_record(cast.person_b, year).sections)
    assert all(not s.rows for s in records.training_record(cast.person_a, year - 1).sections)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_record_pdf_prints_them_as_numbered_parts(cast, completed, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(records.record_pdf(records.training_record(cast.person_a, completed.end_date.year)))
    # -raw: in the order drawn, so a wrapped cell's lines stay together; compared without spaces and breaks
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    text = "".join(text.split())
    for expected in ("五、结业证书", completed.serial, "六、培训心得", "已通过（优秀）", "通过学习，我对壮大村集体经济",
                     "七、学时明细与更正"):
        assert expected in text, expected


def test_the_person_page_and_excel_show_them(cast, completed, client_as):
    year = completed.end_date.year
    c = client_as(cast.liaison_a)
    page = c.get(reverse("ledger:person", args=[cast.person_a.pk]) + f"?year={year}").content.decode()
    record = page[page.index('data-testid="training-record"'):]
    assert completed.serial in record and "已通过（优秀）" in record and "乡村振兴专题培训班" in record
    book = load_workbook(io.BytesIO(c.get(reverse("ledger:record_xlsx", args=[cast.person_a.pk]) + f"?year={year}").content))
    assert list(book["结业证书"].iter_rows(min_row=2, values_only=True))[0][0] == completed.serial
    assert list(book["培训心得"].iter_rows(min_row=2, values_only=True))[0][2] == "已通过（优秀）"
    # a liaison of the other township sees neither the page nor the file
    other = client_as(cast.liaison_b)
    assert other.get(reverse("ledger:person", args=[cast.person_a.pk])).status_code == 404
    assert other.get(reverse("ledger:record_pdf", args=[cast.person_a.pk])).status_code == 404
