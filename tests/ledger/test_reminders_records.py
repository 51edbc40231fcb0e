"""Monthly reminders (once per person, rule and period) and the training record PDF/Excel/archive."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from jingpei.core.models import Job
from jingpei.ledger import records, services
from jingpei.ledger.models import Notification, ReminderSent, RequirementRule
from jingpei.ledger.reminders import send_reminders

AS_OF = date(2026, 6, 30)


@pytest.fixture
def only_yearly(settled):
    RequirementRule.objects.exclude(code="online-yearly").update(active=False)
    return settled


def test_people_behind_are_reminded_once(only_yearly, client_as):
    cast = only_yearly
    cast.trainee.email = "wxm@example.cn"
    cast.trainee.save()
    services.credit_hours(person=cast.person_b, hours="70", form="online", occurred_on=date(2026, 2, 1),
                          idempotency_key="b:1")
    stats = send_reminders(as_of=AS_OF)
    # 王小明 has an account and is behind; 李芳 is behind but has no account; 赵秘密 has met the rule
    assert stats["people"] == 1
    note = Notification.objects.get(user=cast.trainee)
    assert "网络学习每年不少于60学时" in note.title and "还差 60.0 学时" in note.body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wxm@example.cn"]
    # liaison A receives A's list (王小明, 李芳) and never B's people; liaison B has nobody behind
    digest = Notification.objects.get(user=cast.liaison_a)
    assert "王小明" in digest.body and "李芳" in digest.body and "赵秘密" not in digest.body
    assert not Notification.objects.filter(user=cast.liaison_b).exists()
    # the second run (same period) sends nothing
    assert send_reminders(as_of=AS_OF) == {"people": 0, "digests": 0, "mail_failed": 0}
    assert Notification.objects.count() == 2 and len(mail.outbox) == 1
    # a new period is a new reminder
    call_command("ledger_reminders", "--as-of", "2027-06-30", stdout=io.StringIO())
    assert ReminderSent.objects.filter(period_start=date(2027, 1, 1)).exists()
    page = client_as(cast.trainee).get(reverse("ledger:notifications")).content.decode()
    assert "网络学习每年不少于60学时" in page


def _record_fixture(cast):
    services.credit_hours(person=cast.person_a, hours="6", form="class", occurred_on=date(2026, 4, 2),
                          idempotency_key="c:1", title="乡村振兴专题培训班", source_type="class", source_id="1")
    services.credit_hours(person=cast.person_a, hours="1", form="online", occurred_on=date(2026, 4, 3),
                          idempotency_key="o:1", title="壮大村集体经济")
    wrong = services.credit_hours(person=cast.person_a, hours="2", form="online", occurred_on=date(2026, 4, 4),
                                  idempotency_key="o:2", title="误登记课程").entry
    services.reverse_entry(entry=wrong, reason="误登记", actor=cast.officer)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_record_pdf_embeds_the_font_and_its_text_reads_back(settled, tmp_path):
    _record_fixture(settled)
    pdf = records.record_pdf(records.training_record(settled.person_a, 2026))
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # the TrueType glyphs are embedded
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    for expected in ("干部教育培训档案（2026 年度）", "王小明", "乡村振兴专题培训班", "壮大村集体经济", "误登记"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    assert "yes" in fonts.splitlines()[-1].split()  # emb = yes


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_record_pdf_prints_typed_text_as_typed(settled, tmp_path):
    """Titles and reasons are people's text, not markup: "x<y" once failed the whole record, "R&D" printed
    "R&D;", and "<b>" made text bold."""
    typed = ["R&D 培训 x<y", "<b>乡村</b>振兴", "A & B > C"]
    for n, title in enumerate(typed):
        services.credit_hours(person=settled.person_a, hours="1", form="online", occurred_on=date(2026, 5, n + 1),
                              idempotency_key=f"typed:{n}", title=title)
    path = tmp_path / "r.pdf"
    path.write_bytes(records.record_pdf(records.training_record(settled.person_a, 2026)))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    printed = "".join(text.split())  # ReportLab's CJK wrapping may drop a space beside a symbol
    for title in typed:
        assert "".join(title.split()) in printed, title


def test_record_xlsx_and_pages(settled, client_as):
    _record_fixture(settled)
    c = client_as(settled.trainee)
    response = c.get(reverse("ledger:record_xlsx", args=[settled.person_a.pk]) + "?year=2026")
    book = load_workbook(io.BytesIO(response.content))
    summary = list(book["概况"].iter_rows(values_only=True))
    assert ("培训班", 6) in [(r[0], r[1]) for r in summary]
    assert ("网络培训", 1) in [(r[0], r[1]) for r in summary]  # 1 + 2 − 2
    detail = [r[2] for r in book["学时明细"].iter_rows(min_row=2, values_only=True)]
    assert detail.count("误登记课程") == 2
    pdf = c.get(reverse("ledger:record_pdf", args=[settled.person_a.pk]) + "?year=2026")
    assert pdf["Content-Type"] == "application/pdf"


def test_subtree_archive_job(settled, client_as, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _record_fixture(settled)
    c = client_as(settled.liaison_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("ledger:org_records", args=[settled.town_a.pk]), {"year": "2026"})
    job = Job.objects.get(name="ledger.records_archive")
    assert job.status == Job.Status.DONE, job.error
    assert response.url == reverse("job", args=[job.pk])
    download = c.get(job.result["url"])
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len(names) == 2 and all(n.endswith("-2026.pdf") for n in names)
    assert not any("赵秘密" in n for n in names)
    assert client_as(settled.liaison_b).get(job.result["url"]).status_code == 404
    assert client_as(settled.liaison_b).post(reverse("ledger:org_records", args=[settled.town_a.pk])).status_code == 404


def test_one_record_that_fails_leaves_the_others_in_the_archive(settled, client_as, django_capture_on_commit_callbacks,
                                                              settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    _record_fixture(settled)
    real = records.record_pdf

    def fails_for_one(record):
        if record.person.pk == settled.person_a2.pk:
            raise RuntimeError("font missing")
        return real(record)

    monkeypatch.setattr(records, "record_pdf", fails_for_one)
    c = client_as(settled.liaison_a)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("ledger:org_records", args=[settled.town_a.pk]), {"year": "2026"})
    job = Job.objects.get(name="ledger.records_archive")
    assert job.status == Job.Status.DONE and "1 人；1 人未能生成" in job.result["label"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(c.get(job.result["url"]).streaming_content)))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 1 and "王小明" in pdfs[0]
    listing = archive.read("未能生成的档案.txt").decode()
    assert "李芳" in listing and str(settled.person_a2.pk) in listing


@pytest.mark.parametrize("year", ["abc", "0.00001", "1e309", "1999", "２０２６x", "-2026"])
def test_subtree_archive_refuses_a_bad_year(settled, client_as, year):
    c = client_as(settled.liaison_a)
    response = c.post(reverse("ledger:org_records", args=[settled.town_a.pk]), {"year": year}, follow=True)
    assert response.status_code == 200
    assert "请填写 2000 到 2100 之间的年份" in response.content.decode()
    assert not Job.objects.filter(name="ledger.records_archive").exists()


def test_unread_notifications_are_counted_in_the_menu_and_top_bar_until_read(cast, client_as):
    client = client_as(cast.trainee)
    assert 'data-testid="top-alert"' not in client.get("/").content.decode()
    services.notify([cast.trainee, cast.liaison_a], title="培训班“乡村振兴专题培训班”已取消", body="原因：计划调整")
    services.notify([cast.trainee], title="学时提醒")
    page = client.get("/").content.decode()
    assert 'data-testid="nav-count">2<' in page
    assert 'aria-label="2 条未读 · 站内通知" data-testid="top-alert"' in page
    inbox = client.get(reverse("ledger:notifications")).content.decode()
    assert "原因：计划调整" in inbox and 'data-testid="top-alert"' not in inbox  # shown, hence read
    assert 'data-testid="nav-count"' not in client.get("/").content.decode()
    assert 'data-testid="nav-count">1<' in client_as(cast.liaison_a).get("/").content.decode()  # each their own
