"""The append-only ledger of credited study hours (学时)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingForm(models.TextChoices):
    MEETING = "meeting", _("以会代训")
    ONLINE = "online", _("网络培训")
    BRANCH = "branch", _("远程教育")
    CLASS = "class", _("培训班")
    STUDY_TOUR = "study_tour", _("交流考察")
    MOBILE_LECTURE = "mobile_lecture", _("移动讲堂")
    EXTERNAL = "external", _("外部平台")
    TEACHING = "teaching", _("授课")


class LedgerEntry(models.Model):
    """One credit (positive hours) or one reversal of a credit (negative hours, ``reverses`` set).

    Never updated or deleted. ``idempotency_key`` is derived from the source (``class-session:12:
    person:34``…), unique, so the same source can never credit twice, even under concurrent requests.
    """

    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="ledger_entries")
    occurred_on = models.DateField(_("日期"), db_index=True)
    hours = models.DecimalField(_("学时"), max_digits=7, decimal_places=1)
    form = models.CharField(_("培训形式"), max_length=20, choices=TrainingForm.choices)
    title = models.CharField(_("内容"), max_length=200, blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学时记录")
        indexes = [
            models.Index(fields=["person", "occurred_on"], name="ledger_person_date_idx"),
            models.Index(fields=["source_type", "source_id"], name="ledger_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.occurred_on} {self.hours}"
