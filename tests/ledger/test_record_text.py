"""The training record's Excel file keeps what officers typed (titles, correction reasons) as text."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from tests.core.test_sheets import LINK


def test_the_training_record_keeps_a_typed_reason_as_text(settled):
    from jingpei.ledger import records, services

    entry = services.credit_hours(person=settled.person_a, hours="1", form="online", occurred_on=date(2026, 4, 3),
                                  idempotency_key="o:1", title="=SUM(A1:A9)").entry
    services.reverse_entry(entry=entry, reason=LINK, actor=settled.officer)
    book = load_workbook(io.BytesIO(records.record_xlsx(records.training_record(settled.person_a, 2026))))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    typed = [c for c in cells if c.value in (LINK, "=SUM(A1:A9)")]
    assert len(typed) >= 2 and all(c.data_type == "s" for c in typed)
