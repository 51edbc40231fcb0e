"""The classes' sections of a person's training record (培训档案): the certificates of the year's
classes and the reflection notes handed in. Registered with the ledger's record in ``ready()``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.classes.models import Certificate, Reflection
from jingpei.ledger.records import RecordSection, record_section
from jingpei.orgs.models import Person

EXCERPT = 60  # characters of a reflection shown in the record; the class head's page has the whole text


@record_section
def certificates(person: Person, year: int) -> RecordSection:
    """Certificates of classes that ended in ``year`` (a class over New Year belongs to the year it ends)."""
    rows = [(c.serial, c.class_title, c.start_date, c.end_date, c.hours, timezone.localdate(c.issued_at))
            for c in Certificate.objects.filter(enrolment__person=person, end_date__year=year).order_by("end_date", "serial")]
    return RecordSection(_("结业证书"), (_("证书编号"), _("培训班"), _("开始日期"), _("结束日期"), _("学时"),
                                           _("发证日期")), rows, (46, 40, 24, 24, 12, 24))


@record_section
def reflections(person: Person, year: int) -> RecordSection:
    """Reflection notes handed in during ``year``, with the class head's verdict."""
    rows = []
    for r in (Reflection.objects.filter(enrolment__person=person, submitted_at__year=year)
              .select_related("enrolment__klass").order_by("submitted_at")):
        text = " ".join(r.text.split())
        status = r.get_status_display() + (_("（优秀）") if r.best else "")
        rows.append((r.enrolment.klass.title, timezone.localdate(r.submitted_at), status,
                     text[:EXCERPT] + ("…" if len(text) > EXCERPT else ""), r.comment))
    return RecordSection(_("培训心得"), (_("培训班"), _("提交日期"), _("审阅"), _("内容摘要"), _("班主任意见")),
                         rows, (38, 24, 26, 52, 30))
