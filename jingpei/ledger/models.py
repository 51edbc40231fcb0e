"""The append-only ledger of credited study hours (学时)."""

from __future__ import annotations

from decimal import Decimal

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

    # indexed by ledger_person_date_idx (person, occurred_on), which leads with it
    person = models.ForeignKey("orgs.Person", on_delete=models.PROTECT, related_name="ledger_entries", db_index=False)
    occurred_on = models.DateField(_("日期"), db_index=True)
    hours = models.DecimalField(_("学时"), max_digits=7, decimal_places=1)
    form = models.CharField(_("培训形式"), max_length=20, choices=TrainingForm.choices)
    title = models.CharField(_("内容"), max_length=200, blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200)  # unique: Meta.constraints
    # At most one reversal per entry (ledger_reversal_once): a unique index over the few reversals only,
    # where OneToOneField's would hold a NULL for each of tens of millions of credits.
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by", db_index=False
    )
    reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    # Read by no query; indexed only for the SET NULL of a deleted account, over the entries someone
    # recorded (ledger_recorded_by_idx): most credits (online study, imports) have no recorder.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学时记录")
        # A constraint, not ``unique=True``: that would add a varchar_pattern_ops twin on PostgreSQL to
        # every one of tens of millions of entries, and the key is only ever looked up whole.
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_entry_key_unique"),
            models.UniqueConstraint(fields=["reverses"], condition=models.Q(reverses__isnull=False),
                                    name="ledger_reversal_once"),
        ]
        indexes = [
            models.Index(fields=["person", "occurred_on"], name="ledger_person_date_idx"),
            models.Index(fields=["source_type", "source_id"], name="ledger_source_idx"),
            models.Index(fields=["recorded_by"], name="ledger_recorded_by_idx", condition=models.Q(recorded_by__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.occurred_on} {self.hours}"


def hours_of(tenths: int) -> Decimal:
    """Integer tenths as hours that keep their tenth (540 → 54.0, shown like a rule's 60.0)."""
    return Decimal(tenths).scaleb(-1)


class MonthRollup(models.Model):
    """Hours of one person in one calendar month (China time) and one form, maintained incrementally
    by ``services.credit_hours`` / ``reverse_entry`` in the same transaction as the entry.

    Hours are kept as integer tenths (``tenths``): sums are exact on SQLite and PostgreSQL alike, and
    the increment is a plain integer ``UPDATE … SET tenths = tenths + n``.
    """

    # No index of its own: the unique (person, month, form) serves a person's look-ups, and with the month
    # in the index condition (a subtree's year read 5,228 people's rows in 253 ms instead of 389).
    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                               db_index=False)
    month = models.DateField()  # first day of the month
    form = models.CharField(max_length=20, choices=TrainingForm.choices)
    tenths = models.BigIntegerField(default=0)
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "month", "form"], name="ledger_rollup_unique")]
        indexes = [models.Index(fields=["month", "person"], name="ledger_rollup_month_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month:%Y-%m} {self.form} {self.tenths / 10}"

    @property
    def hours(self) -> Decimal:
        return hours_of(self.tenths)


class PeriodKind(models.TextChoices):
    MONTH = "month", _("自然月")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")
    MULTI_YEAR = "multi_year", _("多年周期")


class RequirementRuleQuerySet(models.QuerySet):
    def switched_on(self):
        return self.filter(active=True)


class RequirementRule(models.Model):
    """A study-hour requirement, as data: who (categories, subtree, ranks), which period, which forms
    count, and the minimum (hours, or days at ``hours_per_day``).  Empty selectors mean "everyone"."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    categories = models.ManyToManyField("orgs.Category", blank=True, verbose_name=_("适用人员类别"), related_name="+")
    org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("适用组织范围"),
        related_name="+",
    )
    rank_levels = models.JSONField(_("适用职级"), default=list, blank=True)
    period_kind = models.CharField(_("周期"), max_length=12, choices=PeriodKind.choices)
    period_years = models.PositiveSmallIntegerField(_("周期年数"), default=1)
    cycle_start_year = models.PositiveSmallIntegerField(_("周期起始年"), default=2021)
    forms = models.JSONField(_("计入的培训形式"), default=list, blank=True)
    min_hours = models.DecimalField(_("最低学时"), max_digits=7, decimal_places=1, null=True, blank=True)
    min_days = models.DecimalField(_("最低天数"), max_digits=5, decimal_places=1, null=True, blank=True)
    hours_per_day = models.DecimalField(_("每天折合学时"), max_digits=4, decimal_places=1, null=True, blank=True)
    grace_years = models.PositiveSmallIntegerField(_("新进入类别的宽限年数"), default=0)
    prorate = models.BooleanField(_("期中加入按月折算"), default=True)
    carry_over = models.BooleanField(_("超出部分结转下一周期"), default=False)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    is_preset = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequirementRuleQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("学时要求规则")

    def __str__(self) -> str:
        return self.name

    @property
    def required_hours(self) -> Decimal:
        """The full-period minimum in hours: the lesser of the hours and the days (either suffices)."""
        options = []
        if self.min_hours is not None:
            options.append(self.min_hours)
        if self.min_days is not None and self.hours_per_day:
            options.append(self.min_days * self.hours_per_day)
        return min(options) if options else Decimal("0")


class ConversionBasis(models.TextChoices):
    MINUTES = "minutes", _("按时长（分钟）")
    ITEM = "item", _("按件（每门/每次）")
    DAY = "day", _("按天")
    HOUR = "hour", _("按小时倍数")


class ConversionRule(models.Model):
    """How an activity turns into 学时, as data: ``basis`` quantity within [min, max) earns ``hours``
    (per unit for day/hour bases, flat otherwise) times ``multiplier``; capped per source and per year."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    form = models.CharField(_("培训形式"), max_length=20, choices=TrainingForm.choices)
    basis = models.CharField(_("计算依据"), max_length=10, choices=ConversionBasis.choices)
    min_quantity = models.DecimalField(_("下限（含）"), max_digits=8, decimal_places=2, default=0)
    max_quantity = models.DecimalField(_("上限（不含）"), max_digits=8, decimal_places=2, null=True, blank=True)
    hours = models.DecimalField(_("折合学时"), max_digits=6, decimal_places=2)
    multiplier = models.DecimalField(_("倍数"), max_digits=5, decimal_places=2, default=1)
    cap_per_source = models.DecimalField(_("每个来源上限"), max_digits=7, decimal_places=1, null=True, blank=True)
    cap_per_year = models.DecimalField(_("每年上限"), max_digits=7, decimal_places=1, null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["form", "basis", "min_quantity"]
        verbose_name = _("学时折算规则")

    def __str__(self) -> str:
        return self.name


class Exemption(models.Model):
    """Leave, illness…: the months it covers are taken out of the requirement (prorated)."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("休假/离岗")
        ILLNESS = "illness", _("病休")
        OTHER = "other", _("其他")

    person = models.ForeignKey("orgs.Person", on_delete=models.CASCADE, related_name="ledger_exemptions")
    rule = models.ForeignKey(
        RequirementRule, null=True, blank=True, on_delete=models.CASCADE, related_name="exemptions",
        verbose_name=_("规则（空为全部）"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=300)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学时豁免")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.starts_on}–{self.ends_on}"


class Notification(models.Model):
    """An in-app message to an account (reminders of missing hours, digests for liaisons)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("站内通知")

    def __str__(self) -> str:
        return self.title


class ReminderSent(models.Model):
    """One row per reminder ever sent: the unique key (``person:rule:period`` or ``digest:user:rule:
    period``) is what makes a reminder go out at most once, even when two jobs run at once."""

    key = models.CharField(max_length=120)  # unique: Meta.constraints (looked up whole: no LIKE twin)
    person = models.ForeignKey("orgs.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(RequirementRule, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("已发提醒")
        constraints = [models.UniqueConstraint(fields=["key"], name="reminder_key_unique")]

    def __str__(self) -> str:
        return self.key


class ImportBatch(models.Model):
    """An uploaded external-platform file: parsed and checked on upload (preview), applied as a whole
    on confirmation, or not at all."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        INVALID = "invalid", _("有错误")
        APPLIED = "applied", _("已导入")

    platform = models.CharField(_("来源平台"), max_length=50)
    filename = models.CharField(max_length=200)
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("外部学时导入")

    def __str__(self) -> str:
        return f"{self.platform} {self.filename}"


# --- materialised compliance (see ``jingpei.ledger.standing``) ----------------------------------------
class ComplianceState(models.Model):
    """The one row (pk=1) saying which date the materialised compliance is "as of", when it was built,
    and whether a rule or organisation change made it stale (then summaries take the exact path)."""

    as_of = models.DateField()
    built_at = models.DateTimeField()
    stale = models.BooleanField(default=False)
    build = models.BigIntegerField(default=0)  # a new unique number per full build: per-process caches key on it

    def __str__(self) -> str:
        return f"{self.as_of} {'stale' if self.stale else 'fresh'}"


class ComplianceFact(models.Model):
    """One person's standing against one rule at the state's ``as_of`` (tenths of hours)."""

    # indexed by ledger_fact_unique (person, rule) and ledger_fact_rule_path_idx (rule, org_path)
    person = models.ForeignKey("orgs.Person", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
                               db_index=False)
    rule = models.ForeignKey(RequirementRule, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
                             db_index=False)
    org_path = models.CharField(max_length=255)  # primary organisation when evaluated (counts sit on its ancestors)
    categories = models.CharField(max_length=255, blank=True)  # ",3,5,": category ids held in as_of's year
    required = models.BigIntegerField()
    earned = models.BigIntegerField()
    status = models.CharField(max_length=12)
    # The person's name key (Person.pinyin) when evaluated: drill-down lists sort by it without joining a
    # million people (a name change marks the person dirty, so the fact is re-made with the new key).
    pinyin = models.CharField(max_length=400, blank=True, default="")
    # Evaluated by the person page's functions (joined in the period, exempted, in grace, carry-over): a
    # list shows such a person with notes made again; the others' figures are shown from the fact itself.
    special = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "rule"], name="ledger_fact_unique")]
        # drill-down: one rule's facts in a subtree (a range of the path on PostgreSQL)
        indexes = [models.Index(fields=["rule", "org_path"], name="ledger_fact_rule_path_idx",
                                opclasses=["int8_ops", "varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.rule_id} {self.status}"


class ComplianceCount(models.Model):
    """People of a WHOLE subtree (``org_path`` and below) per rule and category (0 = all), by status
    (met / on track / behind / exempt): a subtree summary reads its root's row and its children's."""

    org_path = models.CharField(max_length=255)
    parent_path = models.CharField(max_length=255)  # only on category 0 rows (the children scan); '' otherwise
    rule_id = models.IntegerField()
    category_id = models.IntegerField()  # 0 = all people; -2 = people placed on this organisation itself
    met = models.IntegerField(default=0)
    on_track = models.IntegerField(default=0)
    behind = models.IntegerField(default=0)
    exempt = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_path", "rule_id", "category_id"],
                                               name="ledger_count_unique")]
        indexes = [models.Index(fields=["parent_path"], name="ledger_count_parent_idx")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.rule_id} {self.category_id} {self.met}/{self.on_track}/{self.behind}/{self.exempt}"


class ComplianceDirty(models.Model):
    """People whose facts may be out of date (credited, reversed, exempted, moved…). ``version`` is bumped
    at every mark, so a refresh deletes only the marks it has seen."""

    person_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.person_id} v{self.version}"
