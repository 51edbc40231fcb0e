"""Objects of township A (老窝镇) carrying the marker 甲镇机密, for every URL keyword the ledger uses."""

from __future__ import annotations

from datetime import date

from jingpei.core.models import Job
from jingpei.ledger import services
from jingpei.ledger.models import ConversionRule, ImportBatch, RequirementRule


def make_objects(cast) -> dict[str, object]:
    entry = services.credit_hours(person=cast.person_a, hours="2", form="online", occurred_on=date(2026, 3, 1),
                                  idempotency_key="leak:1", title="甲镇机密课程").entry
    rule = RequirementRule.objects.create(code="leak-a", name="甲镇机密规则", org=cast.town_a, period_kind="year",
                                          min_hours=10)
    batch = ImportBatch.objects.create(platform="甲镇机密平台", filename="甲镇机密.xlsx", org=cast.town_a,
                                       status=ImportBatch.Status.PREVIEW, rows=[], uploaded_by=cast.officer)
    job = Job.objects.create(name="ledger.records_archive", title="甲镇机密档案", created_by=cast.liaison_a,
                             params={"org_id": cast.town_a.pk, "year": 2026, "user_id": cast.liaison_a.pk})
    # Conversion rules are global (no organisation): only managers of global rules may open them.
    conversion = ConversionRule.objects.create(code="leak-conversion", name="甲镇机密折算", form="online",
                                               basis="item", hours=1, active=False)
    return {"person_id": cast.person_a, "entry_id": entry, "org_id": cast.town_a, "rule_id": rule,
            "batch_id": batch, "job_id": job, "conversion_id": conversion}
