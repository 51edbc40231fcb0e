"""Objects of township A for the global leak test: every URL keyword this app uses."""

from __future__ import annotations

from jingpei.roster.models import ImportRow, RosterExport, RosterImport


def make_objects(cast) -> dict[str, object]:
    imp = RosterImport.objects.create(
        created_by=cast.liaison_a, filename="甲镇机密花名册.xlsx", file_format="xlsx", file_sha256="0" * 64,
        stored_name="missing.xlsx", headers=["姓名", "身份证号", "所在组织"],
        mapping={"name": 0, "id_number": 1, "org": 2}, category_year=2026,
        status=RosterImport.Status.VALIDATED, counts={"rejected": 1, "total": 1},
    )
    row = ImportRow(roster_import=imp, row=2, problems=[{"column": "姓名", "message": "甲镇机密", "level": "error"}])
    row.values = ["甲镇机密", "1", "老窝镇"]
    row.save()
    export = RosterExport.objects.create(created_by=cast.liaison_a, filters={"q": "甲镇机密"}, rows=1)
    return {"import_id": imp, "export_id": export}

# An outsider may export their own township's roster: that creates a record of their own request.
OWN_RECORDS = {"roster.RosterExport"}
