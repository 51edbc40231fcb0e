"""Training funds (专项培训经费): a year's budget of an organisation, in lines by item, and the expenses
booked against those lines; each goes through the approval chain of the parties concerned in turn
(集团、地方政府、帮扶企业 …).

The chain is data (:class:`ApprovalStep`, set per organisation and inherited by its subtree); an item
copies it when it is submitted (``steps``), so a chain changed later never reroutes what is in flight.
``pending_path`` is the path of the organisation whose approvers act now: "waiting for me" is one
indexed prefix condition on it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingpei.orgs.models import Organization

MAX_AMOUNT = Decimal("99999999.99")  # what Decimal(12, 2) holds: 1 亿 less a fen


class Item(models.TextChoices):
    """Budget items (预算科目) of a training budget."""

    TEACHERS = "teachers", _("师资费")
    LODGING = "lodging", _("食宿费")
    VENUE = "venue", _("场地费")
    TRAVEL = "travel", _("交通费")
    STUDY_TOUR = "study_tour", _("考察学习费")
    MATERIALS = "materials", _("资料费")
    ONLINE = "online", _("网络学院及远程教育")
    OTHER = "other", _("其他")


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("审批中")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")
    VOID = "void", _("已作废")  # given up after a return or a withdrawal: kept with its trail, holds nothing


class ApprovalStep(models.Model):
    """One party of an organisation's approval chain, in order."""

    owner = models.ForeignKey(Organization, verbose_name=_("适用组织"), on_delete=models.CASCADE,
                              related_name="funds_steps", db_index=False)  # funds_step_owner_position_unique
    position = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节名称"), max_length=50)
    approver_org = models.ForeignKey(Organization, verbose_name=_("审批单位"), on_delete=models.PROTECT,
                                     related_name="+")
    # the step applies only to items of at least this amount (大额事项加审: "above 10 万元 the group approves
    # too"); null for every item. Never on the first step, so that every item has one.
    min_amount = models.DecimalField(_("起审金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("审批环节")
        ordering = ["owner_id", "position"]
        constraints = [models.UniqueConstraint(fields=["owner", "position"], name="funds_step_owner_position_unique")]

    def __str__(self) -> str:
        return self.name

    def applies_to(self, amount: Decimal) -> bool:
        return self.min_amount is None or amount >= self.min_amount


class Approvable(models.Model):
    """What budgets and expenses share: the approval state and the chain copied at submission."""

    org = models.ForeignKey(Organization, verbose_name=_("预算单位"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    # [{"name": 环节名称, "org": id, "path": 审批单位路径, "org_name": 名称}], copied from the chain at submission
    steps = models.JSONField(default=list, blank=True)
    step = models.PositiveSmallIntegerField(default=0)  # 1-based position now waiting; 0 when none
    pending_path = models.CharField(max_length=255, blank=True, db_index=True)
    step_paths = models.CharField(max_length=1000, blank=True)  # "|path|path|": see access.step_paths_key
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def current_step(self) -> dict | None:
        return self.steps[self.step - 1] if self.state == State.PENDING and 0 < self.step <= len(self.steps) else None

    @property
    def editable(self) -> bool:
        return self.state in (State.DRAFT, State.RETURNED)

    @property
    def weighed_amount(self) -> Decimal:
        """The amount an approval chain's thresholds weigh (``ApprovalStep.min_amount``)."""
        raise NotImplementedError

    @property
    def state_color(self) -> str:
        return {State.DRAFT: "secondary", State.PENDING: "warning", State.RETURNED: "danger",
                State.APPROVED: "success", State.VOID: "light"}[State(self.state)]


class Budget(Approvable):
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("预算名称"), max_length=200)
    total = models.DecimalField(_("预算总额（元）"), max_digits=12, decimal_places=2, default=Decimal(0))
    plan = models.ForeignKey("classes.AnnualPlan", verbose_name=_("对应年度培训计划"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="budgets")
    note = models.TextField(_("编制说明"), blank=True)
    # 年终结转: the next year's budget drawn up from this one's balance; set, this budget is closed (no more
    # expenses, reversals or adjustments). Deleting that draft reopens it.
    carried_to = models.OneToOneField("self", verbose_name=_("结转至"), null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="carried_from")
    # 结余收回: the other way to close a year's budget. Its balance at closing is returned (to the treasury, to
    # the assisting enterprise: ``settle_note`` says where) and it takes nothing more; ``returned`` may be 0,
    # a budget spent whole being closed all the same (决算). Undone only with a reason (an audit row).
    settled_at = models.DateTimeField(_("结余收回时间"), null=True, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    returned = models.DecimalField(_("收回结余（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    settle_note = models.CharField(_("收回去向"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("经费预算")
        ordering = ["-year", "org_id", "pk"]
        indexes = [models.Index(fields=["year", "state"], name="funds_budget_year_state_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funds:budget", args=[self.pk])

    @property
    def weighed_amount(self) -> Decimal:
        return self.total

    @property
    def closed(self) -> bool:
        """Closed at year end (carried over, or its balance returned): no more expenses, reversals or
        adjustments, so its figures are the year's final ones."""
        return self.carried_to_id is not None or self.settled_at is not None


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    item = models.CharField(_("科目"), max_length=20, choices=Item.choices)
    description = models.CharField(_("用途说明"), max_length=200, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    training_class = models.ForeignKey("classes.TrainingClass", verbose_name=_("对应培训班"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="budget_lines")

    class Meta:
        verbose_name = _("预算明细")
        ordering = ["budget_id", "pk"]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.description}".strip()


class ExpenseQuerySet(models.QuerySet):
    def held(self):
        """What holds money on its line: approved expenses (reversals included, which give it back) and
        expenses in the chain; a reversal in the chain gives nothing back until it is approved."""
        return self.filter(models.Q(state=State.APPROVED) | models.Q(state=State.PENDING, amount__gt=0))


class Expense(Approvable):
    budget = models.ForeignKey(Budget, verbose_name=_("经费预算"), on_delete=models.PROTECT, related_name="expenses")
    line = models.ForeignKey(BudgetLine, verbose_name=_("预算科目"), on_delete=models.PROTECT, related_name="expenses")
    spent_on = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    payee = models.CharField(_("收款单位/个人"), max_length=100)
    purpose = models.CharField(_("支出事由"), max_length=200)
    invoice_no = models.CharField(_("票据号"), max_length=50, blank=True)
    # a reversal (冲销) of an approved expense: the same line, the amount negated, through the same chain
    reverses = models.ForeignKey("self", verbose_name=_("冲销的支出"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reversals")

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("经费支出")
        ordering = ["-spent_on", "-pk"]

    def __str__(self) -> str:
        return self.purpose

    def get_absolute_url(self) -> str:
        return reverse("funds:expense", args=[self.pk])

    @property
    def weighed_amount(self) -> Decimal:
        return abs(self.amount)  # a reversal goes through the steps its expense went through


class AdjustmentQuerySet(models.QuerySet):
    def open(self):
        """Adjustments still being decided or mended (a budget has at most one: see the constraint)."""
        return self.exclude(state__in=(State.APPROVED, State.VOID))


class Adjustment(Approvable):
    """A change to an approved budget (预算调整): new amounts for its lines, and lines added, with the reason,
    through the budget's chain like the budget itself (按原程序报批). The budget changes only when the
    whole chain has approved; until then it is spent as it stands. A line is never lowered below what its
    expenses hold, nor removed (lowered to 0 at most), so every expense keeps its line."""

    budget = models.ForeignKey(Budget, verbose_name=_("经费预算"), on_delete=models.PROTECT, related_name="adjustments")
    reason = models.CharField(_("调整理由"), max_length=500)
    total_before = models.DecimalField(_("调整前总额（元）"), max_digits=12, decimal_places=2)
    total_after = models.DecimalField(_("调整后总额（元）"), max_digits=12, decimal_places=2)
    # [{"line": id or null for a new line, "item", "description", "before": "0.00", "after": "1200.00"}], the
    # lines that change, amounts as text (JSON has no decimals)
    changes = models.JSONField(default=list)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("预算调整")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["budget"], condition=~models.Q(state__in=["approved", "void"]),
                                               name="funds_adjustment_one_open")]

    def __str__(self) -> str:
        return _("%(b)s 的调整") % {"b": self.budget.title}

    def get_absolute_url(self) -> str:
        return reverse("funds:adjustment", args=[self.pk])

    @property
    def difference(self) -> Decimal:
        return self.total_after - self.total_before

    @property
    def weighed_amount(self) -> Decimal:
        """The money it makes newly spendable: the sum of its raises (a cut needs no larger approval; moving
        50,000 from one line to another weighs 50,000)."""
        return sum((max(Decimal(c["after"]) - Decimal(c["before"]), Decimal(0)) for c in self.changes), Decimal(0))


class Decision(models.Model):
    """The trail of one budget, expense or adjustment: submitted, approved or returned at a step, withdrawn."""

    class Outcome(models.TextChoices):
        SUBMIT = "submit", _("提交审批")
        APPROVE = "approve", _("同意")
        RETURN = "return", _("退回")
        WITHDRAW = "withdraw", _("撤回")
        VOID = "void", _("作废")

    budget = models.ForeignKey(Budget, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions")
    expense = models.ForeignKey(Expense, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions")
    adjustment = models.ForeignKey(Adjustment, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    position = models.PositiveSmallIntegerField(default=0)  # the step decided; 0 for submit / withdraw
    step_name = models.CharField(_("环节"), max_length=50, blank=True)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("审批记录")
        ordering = ["at", "pk"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(budget__isnull=False, expense__isnull=True, adjustment__isnull=True)
                       | models.Q(budget__isnull=True, expense__isnull=False, adjustment__isnull=True)
                       | models.Q(budget__isnull=True, expense__isnull=True, adjustment__isnull=False)),
            name="funds_decision_one_subject")]

    def __str__(self) -> str:
        return f"{self.step_name or self.get_outcome_display()} {self.get_outcome_display()}"


def invoice_path(instance: Invoice, filename: str) -> str:
    # the stored name never uses the uploader's file name (no path tricks, no personal data in names)
    return f"funds/expenses/{instance.expense_id}/{instance.token}.{instance.extension}"


class Invoice(models.Model):
    """A scan or photo of an expense's invoice or receipt (票据), kept with it for the approvers and the
    auditors. Added and removed only while the expense can be edited; after that it is part of the record."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="invoices")
    token = models.CharField(max_length=32, editable=False)
    extension = models.CharField(max_length=5, editable=False)
    file = models.FileField(upload_to=invoice_path)
    name = models.CharField(_("文件名"), max_length=100)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("票据")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
