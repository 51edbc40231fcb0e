"""Invoice scans with an expense: real images and PDFs only, 10 MB and nine files at most, all or none;
kept once the expense is submitted; a download for whoever may see the expense, nobody else."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingpei.core.errors import Conflict, DomainError
from jingpei.core.models import AuditLog
from jingpei.funds import services
from jingpei.funds.models import Expense, Invoice
from tests.activities.conftest import png_bytes
from tests.funds.conftest import approved_budget, logged_in
from tests.funds.leaks import PDF

pytestmark = pytest.mark.django_db


def _draft(cast, funds):
    budget = approved_budget(cast, funds)
    return services.save_expense(actor=cast.officer, budget=budget, line=budget.lines.order_by("pk").first(),
                                 spent_on=budget.approved_at.date(), amount="800", payee="区委党校", purpose="课酬")


def test_scans_go_with_the_expense_and_stay_once_it_is_submitted(cast, funds):
    expense = _draft(cast, funds)
    made = services.add_invoices(actor=cast.officer, expense=expense, files=[
        SimpleUploadedFile("../../发票 1.pdf", PDF, "application/pdf"),
        SimpleUploadedFile("收据.jpg", png_bytes(), "image/jpeg")])  # a PNG named .jpg: its bytes decide
    assert [(i.name, i.extension, i.content_type) for i in made] == [
        ("发票 1.pdf", "pdf", "application/pdf"), ("收据.jpg", "png", "image/png")]
    assert AuditLog.objects.filter(action="funds.expense.invoices", object_id=str(expense.pk)).exists()
    response = logged_in(funds.approver_cz).get(reverse("funds:invoice", args=[made[0].pk]))
    assert response.status_code == 404  # a draft is not the approver's yet
    services.submit(actor=cast.officer, item=expense)
    response = logged_in(funds.approver_cz).get(reverse("funds:invoice", args=[made[0].pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    with pytest.raises(Conflict, match="票据不能再增删"):
        services.delete_invoice(actor=cast.officer, invoice=made[0])
    with pytest.raises(Conflict, match="票据不能再增删"):
        services.add_invoices(actor=cast.officer, expense=expense, files=[SimpleUploadedFile("x.pdf", PDF)])


@pytest.mark.parametrize(("name", "data", "message"), [
    ("发票.pdf", b"%PDF-1.4 but cut off", "不是有效的图片或 PDF"),
    ("发票.pdf", b"just text, renamed", "不是有效的图片或 PDF"),
    ("发票.exe", b"MZ\x90\x00", "不是有效的图片或 PDF"),
    ("大.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF", "超过 10 MB"),
])
def test_bad_files_are_refused_and_none_is_kept(cast, funds, name, data, message):
    expense = _draft(cast, funds)
    with pytest.raises(DomainError, match=message):
        services.add_invoices(actor=cast.officer, expense=expense, files=[
            SimpleUploadedFile("好的.pdf", PDF), SimpleUploadedFile(name, data)])
    assert not Invoice.objects.exists()


def test_nine_files_at_most(cast, funds):
    expense = _draft(cast, funds)
    services.add_invoices(actor=cast.officer, expense=expense, files=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(8)])
    with pytest.raises(DomainError, match="最多 9 个票据文件"):
        services.add_invoices(actor=cast.officer, expense=expense, files=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(2)])
    assert expense.invoices.count() == 8


def test_the_expense_form_takes_scans_in_the_same_round(cast, funds):
    budget = approved_budget(cast, funds)
    officer = logged_in(cast.officer)
    line = budget.lines.order_by("pk").first()
    data = {"line": str(line.pk), "spent_on": "2026-06-10", "amount": "3600", "payee": "区委党校", "purpose": "课酬",
            "action": "submit"}
    page = officer.post(reverse("funds:expense_new", args=[budget.pk]),
                        data | {"invoices": [SimpleUploadedFile("假.pdf", b"not a pdf")]}).content.decode()
    assert "文件“假.pdf”不是有效的图片或 PDF" in page and not Expense.objects.exists()
    response = officer.post(reverse("funds:expense_new", args=[budget.pk]),
                            data | {"invoices": [SimpleUploadedFile("发票.pdf", PDF), SimpleUploadedFile("照片.png", png_bytes())]})
    expense = Expense.objects.get()
    assert response.status_code == 302 and expense.invoices.count() == 2 and expense.state == "pending"
    page = logged_in(funds.approver_cz).get(expense.get_absolute_url()).content.decode()
    assert "发票.pdf" in page and "照片.png" in page and "invoices_add" not in page


def test_the_page_uploads_and_deletes_while_editable(cast, funds):
    expense = _draft(cast, funds)
    officer = logged_in(cast.officer)
    response = officer.post(reverse("funds:invoices_add", args=[expense.pk]), {"invoices": [SimpleUploadedFile("a.pdf", PDF)]},
                            follow=True)
    assert "已上传 1 个票据文件" in response.content.decode()
    assert "没有收到文件" in officer.post(reverse("funds:invoices_add", args=[expense.pk]), follow=True).content.decode()
    invoice = expense.invoices.get()
    response = officer.post(reverse("funds:invoice_delete", args=[invoice.pk]), follow=True)
    assert "票据“a.pdf”已删除" in response.content.decode() and not expense.invoices.exists()
    assert logged_in(funds.auditor).post(reverse("funds:invoices_add", args=[expense.pk])).status_code == 403
