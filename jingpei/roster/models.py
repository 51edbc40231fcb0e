"""Roster imports and exports: the record of each file that came in or went out."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingpei.core import crypto
from jingpei.core.models import Job


class RosterImport(models.Model):
    """One uploaded roster file, from upload through column mapping and preview to commit.

    The file itself stays on disk (``stored_name`` under MEDIA_ROOT) so that validation and commit can
    stream it again instead of holding its rows in memory or in the database."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("待确认列")
        VALIDATING = "validating", _("校验中")
        VALIDATED = "validated", _("待导入")
        COMMITTING = "committing", _("导入中")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("失败")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("跳过已登记的人员")
        UPDATE = "update", _("用文件内容更新已登记的人员")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="roster_imports"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    filename = models.CharField(_("文件名"), max_length=255)
    file_format = models.CharField(max_length=8)
    file_sha256 = models.CharField(_("文件哈希"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(default=0)
    stored_name = models.CharField(max_length=255)
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # field key -> column index in ``headers``
    on_duplicate = models.CharField(
        _("已登记人员"), max_length=10, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    category_year = models.PositiveSmallIntegerField(_("类别年度"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    validate_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    commit_job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    validated_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("花名册导入")

    def __str__(self) -> str:
        return self.filename


class ImportRow(models.Model):
    """A row of an import that was rejected or carries warnings: its original cells (so the rejected
    rows can be handed back as a file) and what is wrong, column by column."""

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="rows",
                                      db_index=False)  # roster_row_idx (roster_import, rejected, row)
    row = models.PositiveIntegerField(_("行号"))
    rejected = models.BooleanField(default=True)
    # The row's original cells hold ID and phone numbers: encrypted like Person's numbers.
    values_cipher = models.TextField(blank=True)
    problems = models.JSONField(default=list)  # [{"column": header, "message": ..., "level": "error"|"warning"}]

    class Meta:
        ordering = ["row"]
        indexes = [models.Index(fields=["roster_import", "rejected", "row"], name="roster_row_idx")]

    def __str__(self) -> str:
        return f"{self.roster_import_id}:{self.row}"

    @property
    def values(self) -> list:
        return json.loads(crypto.decrypt(self.values_cipher) or "[]")

    @values.setter
    def values(self, cells: list) -> None:
        self.values_cipher = crypto.encrypt(json.dumps(cells, ensure_ascii=False))


class RosterExport(models.Model):
    """One export of the people list: who, with which filters, how many rows, whether IDs were
    shown in full."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="roster_exports"
    )
    created_at = models.DateTimeField(_("导出时间"), auto_now_add=True)
    filters = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    revealed = models.PositiveIntegerField(default=0)  # rows whose ID / phone were exported unmasked
    stored_name = models.CharField(max_length=255, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("花名册导出")

    def __str__(self) -> str:
        return f"export {self.pk}"
