"""Branch remote-education sessions (远程教育) and meetings-as-training (以会代训).

Both credit their attendees in the ledger through ``jingpei.ledger.services``; the ledger entry of each
attendance is kept here so that a correction can reverse exactly that entry.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingpei.orgs.models import Organization


def topic_key(topic: str) -> str:
    """The form of a topic duplicates are compared on: whitespace and case ignored."""
    return "".join((topic or "").split()).casefold()[:200]


class SessionQuerySet(models.QuerySet):
    def live(self):
        """Sessions that count (not merged into another)."""
        return self.filter(merged_into__isnull=True)

    def in_subtree(self, path: str):
        return self.filter(branch__path__startswith=path)


class BranchSession(models.Model):
    """One remote-education session of a party branch: the members gathered before the screen."""

    branch = models.ForeignKey(Organization, verbose_name=_("党支部"), on_delete=models.PROTECT,
                               related_name="activity_sessions", db_index=False)  # activity_session_branch_idx
    held_on = models.DateField(_("学习日期"), db_index=True)
    topic = models.CharField(_("学习主题"), max_length=200)
    topic_key = models.CharField(max_length=200, editable=False)
    courseware = models.CharField(_("课件"), max_length=200, blank=True)
    # The academy course shown, when it is one (the text above then holds its title unless typed).
    course = models.ForeignKey("academy.Course", verbose_name=_("网络学院课程"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="branch_sessions")
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    guest_names = models.JSONField(_("列席人员"), default=list, blank=True)
    attendee_count = models.PositiveIntegerField(_("参加党员数"), default=0)
    # Bumped at each edit that changes credits; part of the ledger idempotency key.
    version = models.PositiveIntegerField(default=1)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("远程教育学习")
        ordering = ["-held_on", "-id"]
        constraints = [
            # The same branch, date and topic is one session: a second entry is merged, never counted twice
            # (even when two phones submit at the same moment).
            models.UniqueConstraint(fields=["branch", "held_on", "topic_key"], condition=Q(merged_into__isnull=True),
                                    name="activity_session_no_duplicate"),
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=Decimal("12")),
                                   name="activity_session_hours_range"),
        ]
        indexes = [models.Index(fields=["branch", "held_on"], name="activity_session_branch_idx")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"

    @property
    def person_times(self) -> int:
        return self.attendee_count + len(self.guest_names or [])


class SessionAttendance(models.Model):
    # indexed by activity_attendance_unique (session, person) and activity_attendance_person_idx
    session = models.ForeignKey(BranchSession, on_delete=models.CASCADE, related_name="attendances", db_index=False)
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="activity_attendances",
                               db_index=False)
    ledger_entry = models.ForeignKey("ledger.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="activity_attendance_unique")]
        indexes = [models.Index(fields=["person", "session"], name="activity_attendance_person_idx")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.person_id}"


def photo_path(instance: SessionPhoto, filename: str) -> str:
    # The stored name never uses the uploader's file name (no path tricks, no personal data in names).
    return f"activities/sessions/{instance.session_id}/{instance.token}.{instance.extension}"


class SessionPhoto(models.Model):
    session = models.ForeignKey(BranchSession, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=5, editable=False)
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.token}"


class BranchRule(models.Model):
    """What branches under ``org`` must do each month. The nearest rule above a branch applies; without
    one, the county default (2 group sessions a month, 90% participation)."""

    org = models.OneToOneField(Organization, verbose_name=_("适用组织"), on_delete=models.CASCADE,
                               related_name="activity_rule")
    min_sessions_per_month = models.PositiveSmallIntegerField(_("每月至少集中学习次数"), default=2)
    min_participation = models.DecimalField(_("参学率不低于（%）"), max_digits=5, decimal_places=1,
                                            default=Decimal("90"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("支部学习规则")

    def __str__(self) -> str:
        return f"{self.org_id}: ≥{self.min_sessions_per_month}/月, ≥{self.min_participation}%"


class MeetingKind(models.TextChoices):
    ANALYSIS = "analysis", _("研判会")
    PROGRESS = "progress", _("推进会")
    FORUM = "forum", _("座谈会")
    STUDY = "study", _("理论学习中心组")
    OTHER = "other", _("其他会议")


class Meeting(models.Model):
    """A meeting that doubles as training (以会代训); each attendee is credited ``hours``."""

    held_on = models.DateField(_("会议日期"), db_index=True)
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    subject = models.CharField(_("会议主题"), max_length=200)
    organizer = models.ForeignKey(Organization, verbose_name=_("主办单位"), on_delete=models.PROTECT,
                                  related_name="activity_meetings")
    hours = models.DecimalField(_("计入学时"), max_digits=4, decimal_places=1)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    attendee_count = models.PositiveIntegerField(_("参会人数"), default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("以会代训")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=Decimal("12")),
                                   name="activity_meeting_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.subject}"


class MeetingAttendance(models.Model):
    # indexed by activity_meeting_att_unique (meeting, person)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", db_index=False)
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="meeting_attendances")
    ledger_entry = models.ForeignKey("ledger.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="activity_meeting_att_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.person_id}"
