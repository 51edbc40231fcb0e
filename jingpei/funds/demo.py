"""The demo district's training funds: a three-party approval chain (区财政局 → 区扶贫开发办公室 → 区乡村振兴局,
one demo approver each), this year's two budgets approved and spent through the year (one raised by an
approved adjustment, the other's adjustment waiting), 老窝镇's own budget, next year's draft, last year's budget
closed with its balance returned, and expenses waiting at each step or returned, so every role has
something real to click.

Everything goes through the services, as the officer and the approvers would do it."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.utils import timezone

from jingpei.accounts.models import User
from jingpei.classes.models import AnnualPlan, TrainingClass
from jingpei.funds import adjustments, carryover, services
from jingpei.funds.adjustments import LineChange
from jingpei.funds.models import Budget, Item
from jingpei.funds.services import LineInput
from jingpei.orgs.models import Organization

# (step, approving unit, the amount from which it applies: 乡村振兴局 approves 1 万元 and above only)
CHAIN = [("财政局审核", "区财政局", None), ("扶贫办审核", "区扶贫开发办公室", None), ("乡村振兴局审批", "区乡村振兴局", "10000")]
APPROVERS = ["approver", "approver2", "approver3"]

MAIN_LINES = [
    (Item.TEACHERS, "专题班、重点班授课专家课酬", "200000"),
    (Item.LODGING, "脱产培训学员食宿", "300000"),
    (Item.VENUE, "培训场地及设备租用", "80000"),
    (Item.MATERIALS, "培训教材、学习资料印制", "40000"),
    (Item.ONLINE, "干部网络学院课程及远程教育站点维护", "80000"),
    (Item.OTHER, "证书制作、不可预见费用", "100000"),
]
POVERTY_LINES = [
    (Item.STUDY_TOUR, "赴梁家河、袁家村交流考察", "220000"),
    (Item.TRAVEL, "移动讲堂送教下乡交通", "80000"),
]
# (line index, month, amount, payee, purpose) of the main budget, spent and approved through the year
SPENT = [
    (0, 3, "18600", "河南省委党校", "乡村振兴专题班授课课酬（4 位专家）"),
    (1, 3, "56400", "漯河市会议中心", "乡村振兴专题班 120 人 5 天食宿"),
    (2, 3, "9800", "漯河市会议中心", "乡村振兴专题班场地租用"),
    (3, 4, "12350", "漯河市新华印刷厂", "《乡村振兴政策汇编》印制 2,000 册"),
    (0, 6, "21000", "河南农业大学", "扶贫产业重点班授课课酬"),
    (1, 6, "61200", "漯河市会议中心", "扶贫产业重点班 136 人食宿"),
    (4, 7, "36000", "河南省干部网络学院", "网络学院年度课程服务费"),
    (5, 9, "4680", "漯河市新华印刷厂", "结业证书制作 1,200 本"),
    (0, 10, "15400", "区委党校", "常规培训班授课课酬"),
]


def _approve_all(item, approvers: list[User]) -> None:
    item.refresh_from_db(fields=["steps"])  # as submitted: a small item skips the 1 万元 step
    steps = len(item.steps)
    for n, approver in enumerate(approvers[:steps], 1):
        services.approve(actor=approver, item=item, step=n, comment="同意" if n == steps else "")


def build_funds_demo(*, seed: int = 2018, today: date | None = None, district_name: str = "召陵区") -> dict:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    district = Organization.objects.get(name=district_name, kind="district")
    units = {o.name: o for o in Organization.objects.filter(path__startswith=district.path, kind="unit")}
    officer = User.objects.get(username="officer")
    approvers = [User.objects.get(username=u) for u in APPROVERS]
    services.set_chain(actor=officer, owner=district, steps=[(name, units[unit], above) for name, unit, above in CHAIN])
    plan = AnnualPlan.objects.filter(org=district, year=today.year).first()
    classes = list(TrainingClass.objects.filter(plan=plan).order_by("start_date")[:2]) if plan else []

    def lines(spec, with_classes=False):
        return [LineInput(item=item, description=text, amount=Decimal(amount),
                          training_class_id=classes[n].pk if with_classes and n < len(classes) else None)
                for n, (item, text, amount) in enumerate(spec)]

    main = services.save_budget(actor=officer, org=district, year=today.year, title=f"{today.year}年干部教育培训经费",
                                lines=lines(MAIN_LINES, with_classes=True), plan=plan,
                                note="区级财政干部教育培训经费，按年度培训计划安排。")
    services.submit(actor=officer, item=main)
    _approve_all(main, approvers)
    poverty = services.save_budget(actor=officer, org=district, year=today.year,
                                   title=f"{today.year}年扶贫资金培训经费（交流考察、移动讲堂）",
                                   lines=lines(POVERTY_LINES), plan=plan, note="扶贫资金中列支的培训经费。")
    services.submit(actor=officer, item=poverty)
    _approve_all(poverty, approvers)
    services.save_budget(actor=officer, org=district, year=today.year + 1, title=f"{today.year + 1}年干部教育培训经费（草案）",
                         lines=lines(MAIN_LINES), note="按上年执行情况编制，待部务会研究后提交。")

    main_lines = list(main.lines.order_by("pk"))
    spent = 0
    for index, month, amount, payee, purpose in SPENT:  # early in the year, the months to come are squeezed in
        day = date(today.year, min(month, today.month), rng.randint(5, 25))
        expense = services.save_expense(actor=officer, budget=main, line=main_lines[index], spent_on=min(day, today),
                                        amount=Decimal(amount), payee=payee, purpose=purpose,
                                        invoice_no=f"No.{rng.randint(10**7, 10**8 - 1)}")
        services.submit(actor=officer, item=expense)
        _approve_all(expense, approvers)
        spent += 1
    # one waiting at each step, one returned
    waiting = [(0, "9600", "区委党校", "村党组织书记示范班授课课酬", 0),
               (1, "23800", "漯河市会议中心", "村党组织书记示范班 60 人食宿", 1),
               (2, "12800", "区文化中心", "移动讲堂场地及音响设备租用", 2)]
    for index, amount, payee, purpose, approved in waiting:
        expense = services.save_expense(actor=officer, budget=main, line=main_lines[index], spent_on=today, amount=Decimal(amount),
                                        payee=payee, purpose=purpose)
        services.submit(actor=officer, item=expense)
        for n in range(approved):
            services.approve(actor=approvers[n], item=expense, step=n + 1)
    returned = services.save_expense(actor=officer, budget=main, line=main_lines[3], spent_on=today, amount=Decimal("5600"),
                                     payee="某文印店", purpose="学习资料复印")
    services.submit(actor=officer, item=returned)
    services.return_item(actor=approvers[0], item=returned, step=1, reason="未附发票，请补充票据号和明细清单后重新提交。")
    tour = list(poverty.lines.order_by("pk"))[0]
    expense = services.save_expense(actor=officer, budget=poverty, line=tour, spent_on=min(date(today.year, 5, 18), today),
                                    amount=Decimal("86500"), payee="漯河市中国旅行社",
                                    purpose="赴梁家河交流考察学习班（45 人）交通食宿")
    services.submit(actor=officer, item=expense)
    _approve_all(expense, approvers)
    # adjustments: the main budget raised mid-year, through the chain; the poverty budget's waiting at step 1
    raised = adjustments.save_adjustment(
        actor=officer, budget=main, reason="增开村党组织书记示范班两期（120 人），追加授课课酬和学员食宿。",
        changes=[LineChange(main_lines[0].pk, "230000"), LineChange(main_lines[1].pk, "336000")])
    services.submit(actor=officer, item=raised)
    _approve_all(raised, approvers)
    travel = list(poverty.lines.order_by("pk"))[1]
    asked = adjustments.save_adjustment(
        actor=officer, budget=poverty, reason="移动讲堂新增 6 个送教点，追加交通费；新增送教学习资料。",
        changes=[LineChange(travel.pk, "98000"),
                 LineChange(None, "15000", item=Item.MATERIALS, description="移动讲堂送教学习资料")])
    services.submit(actor=officer, item=asked)
    spent += _township_budget(officer, approvers, district, today, rng)
    spent += _last_year_settled(officer, approvers, district, today, rng)
    return {"budgets": Budget.objects.filter(org__path__startswith=district.path).count(), "expenses_spent": spent + 1,
            "waiting": len(waiting), "adjustments": 2}


def _spend_approved(officer, approvers, budget, spec, rng) -> int:
    """``spec``: (line index, day, amount, payee, purpose), each booked and approved through the chain."""
    lines = list(budget.lines.order_by("pk"))
    for index, day, amount, payee, purpose in spec:
        expense = services.save_expense(actor=officer, budget=budget, line=lines[index], spent_on=day, amount=Decimal(amount),
                                        payee=payee, purpose=purpose, invoice_no=f"No.{rng.randint(10**7, 10**8 - 1)}")
        services.submit(actor=officer, item=expense)
        _approve_all(expense, approvers)
    return len(spec)


def _township_budget(officer, approvers, district, today, rng) -> int:
    """老窝镇's own budget of the year (so that the year report's funds have a township beside 本级)."""
    town = Organization.objects.get(name="老窝镇", path__startswith=district.path)
    budget = services.save_budget(actor=officer, org=town, year=today.year, title=f"老窝镇{today.year}年村干部培训经费",
                                  lines=[LineInput(item=Item.TEACHERS, description="村干部示范培训授课", amount=Decimal("20000")),
                                         LineInput(item=Item.MATERIALS, description="村级学习资料", amount=Decimal("8000"))],
                                  note="镇财政安排的村干部培训经费。")
    services.submit(actor=officer, item=budget)
    _approve_all(budget, approvers)
    day = min(date(today.year, 4, 12), today)
    return _spend_approved(officer, approvers, budget, [(0, day, "6800", "区委党校", "村干部示范培训授课课酬")], rng)


def _last_year_settled(officer, approvers, district, today, rng) -> int:
    """Last year's budget, spent through the year and closed in December with its balance returned (结余收回)."""
    year = today.year - 1
    budget = services.save_budget(actor=officer, org=district, year=year, title=f"{year}年干部教育培训经费",
                                  lines=[LineInput(item=item, description=text, amount=Decimal(amount) / 2)
                                         for item, text, amount in MAIN_LINES[:4]],
                                  note="区级财政干部教育培训经费。")
    services.submit(actor=officer, item=budget)
    _approve_all(budget, approvers)
    n = _spend_approved(officer, approvers, budget, [
        (0, date(year, 4, 20), "42000", "河南省委党校", "脱贫攻坚专题班授课课酬"),
        (1, date(year, 4, 26), "118500", "漯河市会议中心", "脱贫攻坚专题班 150 人食宿"),
        (2, date(year, 5, 8), "21000", "漯河市会议中心", "专题班场地租用"),
        (3, date(year, 9, 16), "9600", "漯河市新华印刷厂", "学习资料印制"),
    ], rng)
    carryover.settle(actor=officer, budget=budget, note="缴回区财政")
    return n
