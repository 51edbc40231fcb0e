"""Township A's money, carrying the marker 甲镇机密: a budget approved through A's own chain, and an
expense and an adjustment waiting in it (the lead's leak test visits every funds URL with their ids as liaison_b)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from jingpei.core.permissions import Role
from jingpei.funds import adjustments, services
from tests.factories import make_org, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_objects(cast) -> dict[str, object]:
    officer_a = make_user("funds_officer_a", role=Role.TRAINING_OFFICER, org=cast.town_a)
    office = make_org(cast.town_a, "甲镇机密财政所", "unit")
    approver_a = make_user("funds_approver_a", role=Role.FUNDS_APPROVER, org=office)
    services.set_chain(actor=officer_a, owner=cast.town_a, steps=[("甲镇机密审核", office)])
    budget = services.save_budget(actor=officer_a, org=cast.town_a, year=date.today().year, title="甲镇机密培训经费",
                                  lines=[services.LineInput(item="teachers", amount=Decimal("8000"), description="甲镇机密课酬")])
    services.submit(actor=officer_a, item=budget)
    services.approve(actor=approver_a, item=budget, step=1)
    expense = services.save_expense(actor=officer_a, budget=budget, line=budget.lines.get(), spent_on=date.today(),
                                    amount="1200", payee="甲镇机密党校", purpose="甲镇机密支出")
    invoice = services.add_invoices(actor=officer_a, expense=expense, files=[SimpleUploadedFile(
        "甲镇机密发票.pdf", PDF, "application/pdf")])[0]
    services.submit(actor=officer_a, item=expense)
    adjustment = adjustments.save_adjustment(actor=officer_a, budget=budget, reason="甲镇机密追加课酬", changes=[
        adjustments.LineChange(line_id=None, item="venue", amount="900", description="甲镇机密场地")])
    services.submit(actor=officer_a, item=adjustment)
    return {"budget_id": budget, "expense_id": expense, "invoice_id": invoice, "adjustment_id": adjustment}


EXTRA_GETS = ["/funds/?year=" + str(date.today().year), "/funds/export/?year=" + str(date.today().year),
              "/funds/chain/?owner={budget_id}"]
