"""Training classes: the annual plan, classes and their sessions, enrolment (调训), sign-in, leave,
completion, certificates and reflections."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from jingpei.ledger.models import TrainingForm


class Tier(models.TextChoices):
    SPECIAL = "special", _("专题")
    KEY = "key", _("重点")
    REGULAR = "regular", _("常规")


class ClassForm(models.TextChoices):
    """The kind of class; each maps to the ledger's training form (see ``ledger_form``)."""

    CLASS = "class", _("培训班")
    STUDY_TOUR = "study_tour", _("交流考察")
    MOBILE_LECTURE = "mobile_lecture", _("移动讲堂")


LEDGER_FORM = {
    ClassForm.CLASS: TrainingForm.CLASS,
    ClassForm.STUDY_TOUR: TrainingForm.STUDY_TOUR,
    ClassForm.MOBILE_LECTURE: TrainingForm.MOBILE_LECTURE,
}


# --- annual plan ------------------------------------------------------------------------------------
class AnnualPlan(models.Model):
    """A year's plan of one organizing organization (年初有计划)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    org = models.ForeignKey("orgs.Organization", verbose_name=_("组织单位"), on_delete=models.PROTECT,
                            related_name="class_plans")
    title = models.CharField(_("计划名称"), max_length=200)
    total_target = models.PositiveIntegerField(_("总目标（人次）"), default=0)
    topics = models.TextField(_("培训专题"), blank=True)
    budget_note = models.TextField(_("预算安排"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("年度培训计划")
        constraints = [models.UniqueConstraint(fields=["year", "org"], name="class_plan_year_org_unique")]
        ordering = ["-year", "org_id"]

    def __str__(self) -> str:
        return self.title


class PlanTarget(models.Model):
    """A target in person-times (人次) for one slice of the plan; empty fields mean "any"."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="targets")
    tier = models.CharField(_("班次层级"), max_length=10, choices=Tier.choices, blank=True)
    form = models.CharField(_("培训形式"), max_length=20, choices=ClassForm.choices, blank=True)
    category = models.ForeignKey("orgs.Category", verbose_name=_("人员类别"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    target = models.PositiveIntegerField(_("目标（人次）"))

    class Meta:
        verbose_name = _("计划目标")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.tier}/{self.form}/{self.category_id}={self.target}"


# --- lecturers --------------------------------------------------------------------------------------
class Lecturer(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职称/职务"), max_length=100, blank=True)
    affiliation = models.CharField(_("工作单位"), max_length=200, blank=True)
    subjects = models.CharField(_("擅长专题"), max_length=300, blank=True)
    owner_org = models.ForeignKey("orgs.Organization", verbose_name=_("所属组织"), on_delete=models.PROTECT,
                                  related_name="lecturers")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="lecturer")
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("师资")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


# --- classes ----------------------------------------------------------------------------------------
class TrainingClass(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        OPEN = "open", _("调训中")
        COMPLETED = "completed", _("已结业")
        CANCELLED = "cancelled", _("已取消")

    plan = models.ForeignKey(AnnualPlan, verbose_name=_("所属年度计划"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="classes")
    title = models.CharField(_("班次名称"), max_length=200)
    tier = models.CharField(_("层级"), max_length=10, choices=Tier.choices, default=Tier.REGULAR)
    form = models.CharField(_("形式"), max_length=20, choices=ClassForm.choices, default=ClassForm.CLASS)
    topics = models.CharField(_("专题"), max_length=300, blank=True)
    organizer = models.ForeignKey("orgs.Organization", verbose_name=_("主办单位"), on_delete=models.PROTECT,
                                  related_name="organized_classes")
    start_date = models.DateField(_("开班日期"))
    end_date = models.DateField(_("结业日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    itinerary = models.TextField(_("行程（考察点/讲堂站点）"), blank=True,
                                 help_text=_("每行一站：日期 地点 内容"))
    capacity = models.PositiveIntegerField(_("容量（人）"))
    audience_orgs = models.ManyToManyField("orgs.Organization", verbose_name=_("面向组织"), blank=True,
                                           related_name="+")
    audience_categories = models.ManyToManyField("orgs.Category", verbose_name=_("面向人员类别"), blank=True,
                                                 related_name="+")
    head = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("班主任"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="headed_classes")
    full_time = models.BooleanField(_("脱产培训"), default=True,
                                    help_text=_("脱产班请假超过总学时 1/7 者作退学处理"))
    min_attendance = models.DecimalField(_("最低出勤比例"), max_digits=3, decimal_places=2, default=Decimal("0.80"))
    require_reflection = models.BooleanField(_("须交培训心得"), default=False)
    late_after_minutes = models.PositiveSmallIntegerField(_("开课后几分钟算迟到"), default=10)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训班")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="class_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ledger_form(self) -> str:
        return LEDGER_FORM[ClassForm(self.form)]

    def total_hours(self) -> Decimal:
        return (self.sessions.aggregate(t=Sum("hours"))["t"] or Decimal("0")).quantize(Decimal("0.1"))


class ClassQuota(models.Model):
    """Seats a sub-organization may fill (its liaison nominates within them)."""

    klass = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="quotas",
                              db_index=False)  # class_quota_unique (klass, org)
    org = models.ForeignKey("orgs.Organization", verbose_name=_("单位"), on_delete=models.PROTECT,
                            related_name="+")
    seats = models.PositiveIntegerField(_("名额"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["klass", "org"], name="class_quota_unique")]

    def __str__(self) -> str:
        return f"{self.org_id}×{self.seats}"


class Session(models.Model):
    """One teaching unit of a class (课次): a time, a lecturer, a subject, the hours it is worth."""

    klass = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    subject = models.CharField(_("课程"), max_length=200)
    lecturer = models.ForeignKey(Lecturer, verbose_name=_("授课专家"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="sessions")
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    place = models.CharField(_("地点"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("课次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_times_ordered"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.klass} · {self.subject}"


class Enrolment(models.Model):
    """A person's place in a class, from nomination to completion."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("待本人确认")
        CONFIRMED = "confirmed", _("待班主任审核")
        APPROVED = "approved", _("已录取")
        WAITLISTED = "waitlisted", _("候补")
        DECLINED = "declined", _("本人谢绝")
        REJECTED = "rejected", _("未录取")
        WITHDRAWN = "withdrawn", _("退学")
        CANCELLED = "cancelled", _("已撤销")

    # Statuses that hold one of the class's seats (and one of the quota's).
    SEATED = (Status.NOMINATED, Status.CONFIRMED, Status.APPROVED)
    # Statuses of a live enrolment: a person has at most one of these per class.
    LIVE = (*SEATED, Status.WAITLISTED)

    klass = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="enrolments",
                              db_index=False)  # enrolment_class_status_idx (klass, status)
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="class_enrolments")
    quota = models.ForeignKey(ClassQuota, null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments")
    # The organization the nominee was nominated through (liaisons see enrolments of their subtree).
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NOMINATED)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed = models.BooleanField(_("已结业"), default=False)
    completion_note = models.CharField(max_length=200, blank=True)
    credited_hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("调训")
        ordering = ["nominated_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["klass", "person"], condition=Q(status__in=[
                "nominated", "confirmed", "approved", "waitlisted"]), name="enrolment_one_live"),
        ]
        indexes = [models.Index(fields=["klass", "status"], name="enrolment_class_status_idx")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.klass}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出勤")
        LATE = "late", _("迟到")

    class Method(models.TextChoices):
        SCAN = "scan", _("扫码")
        MANUAL = "manual", _("班主任补签")
        SHEET = "sheet", _("纸质签到表")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances",
                                db_index=False)  # attendance_once (session, enrolment)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    signed_at = models.DateTimeField(_("签到时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("签到")
        # The one guarantee that no sign-in is ever counted twice, whatever the concurrency.
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}"


class LeaveRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="leaves")
    session = models.ForeignKey(Session, verbose_name=_("课次"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", help_text=_("不选表示整个班次"))
    reason = models.CharField(_("事由"), max_length=300)
    hours = models.DecimalField(_("请假学时"), max_digits=6, decimal_places=1)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("请假")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.hours}"


def certificate_path(instance, filename):
    return f"classes/certificates/{instance.klass_id}/{instance.serial}.pdf"


class Certificate(models.Model):
    """A 结业证书. What it certifies is copied in at issue, so the verification page shows what was
    issued even if the class is renamed later."""

    serial = models.CharField(_("证书编号"), max_length=40, unique=True)
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    klass = models.ForeignKey(TrainingClass, on_delete=models.PROTECT, related_name="certificates")
    person_name = models.CharField(max_length=50)
    class_title = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=1)
    issuer = models.CharField(max_length=100)
    issued_at = models.DateTimeField()
    # Absolute address of the public verification page, as printed in the QR code.
    verify_url = models.CharField(max_length=300, blank=True)
    pdf = models.FileField(upload_to=certificate_path, blank=True)

    class Meta:
        verbose_name = _("结业证书")

    def __str__(self) -> str:
        return self.serial


def reflection_path(instance, filename):
    return f"classes/reflections/{instance.enrolment.klass_id}/{instance.enrolment_id}/{filename}"


class Reflection(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审阅")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("已通过")

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="reflection")
    text = models.TextField(_("心得内容"))
    attachment = models.FileField(_("附件"), upload_to=reflection_path, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    comment = models.CharField(_("班主任意见"), max_length=500, blank=True)
    best = models.BooleanField(_("优秀心得"), default=False)
    submitted_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("培训心得")

    def __str__(self) -> str:
        return f"{self.enrolment_id}"
