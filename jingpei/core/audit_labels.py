"""What each audit action code means, in the reader's language: the audit administrator reads 修改人员信息,
not ``person.update``. Codes stay the stored, searchable key; a code without its own label still reads by
its area (人员：person.xyz). A test fails when code records an action no label names."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.translation import gettext_lazy as _

AREAS = {
    "person": _("人员"), "org": _("组织"), "roster": _("花名册"), "ledger": _("学时台账"), "academy": _("网络学院"),
    "activity": _("远程教育"), "class": _("培训班"), "class_plan": _("年度计划"), "lecturer": _("师资库"),
    "user": _("账号"), "grant": _("授权"), "demo": _("演示数据"), "funds": _("培训经费"),
    "survey": _("需求调研"),
}

ACTIONS = {
    "survey.create": _("新建问卷"), "survey.update": _("修改问卷"), "survey.delete": _("删除问卷草稿"),
    "survey.state": _("发布或结束问卷"), "survey.response.enter": _("代为录入纸质问卷"),
    "survey.closing_day": _("修改问卷截止日期"), "survey.note.save": _("登记调研记录"), "survey.note.delete": _("删除调研记录"),
    "funds.chain.set": _("设置经费审批流程"),
    "funds.budget.create": _("编制经费预算"), "funds.budget.update": _("修改经费预算"),
    "funds.budget.submit": _("提交预算审批"), "funds.budget.approve": _("审批同意预算"),
    "funds.budget.return": _("退回预算"), "funds.budget.withdraw": _("撤回预算"), "funds.budget.discard": _("删除预算草稿"),
    "funds.expense.create": _("登记经费支出"), "funds.expense.update": _("修改经费支出"),
    "funds.expense.submit": _("提交支出审批"), "funds.expense.approve": _("审批同意支出"),
    "funds.expense.reverse": _("冲销已批准的支出"), "funds.expense.invoices": _("上传票据"), "funds.expense.invoice_delete": _("删除票据"),
    "funds.expense.return": _("退回支出"), "funds.expense.withdraw": _("撤回支出"), "funds.expense.discard": _("删除支出草稿"),
    "funds.adjustment.create": _("编制预算调整"), "funds.adjustment.update": _("修改预算调整"),
    "funds.adjustment.submit": _("提交预算调整审批"), "funds.adjustment.approve": _("审批同意预算调整"),
    "funds.adjustment.return": _("退回预算调整"), "funds.adjustment.withdraw": _("撤回预算调整"),
    "funds.adjustment.discard": _("删除预算调整草稿"), "funds.budget.adjust": _("按批准的调整变更预算"),
    "funds.budget.carry_over": _("年终结转预算"),
    "funds.budget.settle": _("预算结余收回"),
    "funds.budget.reopen": _("撤销预算结余收回"),
    "funds.budget.void": _("作废预算"), "funds.expense.void": _("作废支出"), "funds.adjustment.void": _("作废预算调整"),
    "person.create": _("新增人员"), "person.update": _("修改人员信息"), "person.archive": _("人员归档"),
    "person.categories": _("调整人员类别"), "person.membership_add": _("增加所在组织"),
    "person.membership_remove": _("移除所在组织"), "person.reveal": _("查看完整身份证号/手机号"),
    "person.import.create": _("导入新增人员"), "person.import.update": _("导入更新人员"),
    "org.create": _("新增组织"), "org.rename": _("组织改名"), "org.move": _("调整上级组织"), "org.archive": _("组织归档"),
    "org.restore": _("组织恢复"), "org.delete": _("删除组织"),
    "roster.upload": _("上传花名册"), "roster.import": _("导入花名册"), "roster.export": _("导出花名册"),
    "roster.export.reveal": _("导出花名册（含完整证件号）"),
    "ledger.credit": _("记入学时"), "ledger.reverse": _("冲销学时"), "ledger.exempt": _("学时免除"),
    "ledger.import": _("导入外部学时"), "ledger.rule_create": _("新增学时规则"), "ledger.rule_change": _("修改学时规则"),
    "ledger.conversion_create": _("新增折算规则"), "ledger.conversion_change": _("修改折算规则"),
    "academy.course.create": _("开设网络课程"), "academy.course.hours": _("课程学时按规则更新"),
    "academy.course.test_rules": _("修改课后测试设置"), "academy.lesson.add": _("添加课节"),
    "academy.question.add": _("添加测试题"), "academy.question.delete": _("删除测试题"),
    "academy.question.import": _("导入测试题"), "academy.question.update": _("修改测试题"),
    "academy.test.submit": _("提交课后测试"),
    "activity.meeting.create": _("登记以会代训"), "activity.meeting.update": _("修改以会代训"),
    "activity.rule.set": _("设置支部学习规则"), "activity.session.create": _("登记远程教育学习"),
    "activity.session.update": _("修改远程教育学习"), "activity.session.merge": _("合并重复的学习记录"),
    "activity.session.merged": _("学习记录被合并"), "activity.session.photos": _("上传学习照片"),
    "activity.session.photo_delete": _("删除学习照片"),
    "class.create": _("新建培训班"), "class.update": _("修改培训班"), "class.open": _("培训班开班"),
    "class.complete": _("培训班结业"), "class.quota": _("分配名额"), "class.nominate": _("推荐学员"),
    "class.confirm": _("学员确认参加"), "class.decline": _("学员不参加"), "class.approve": _("录取学员"),
    "class.reject": _("不录取学员"), "class.promote": _("候补转为推荐"), "class.withdraw": _("学员退学"),
    "class.session_add": _("添加课次"), "class.sign_in": _("签到"), "class.leave_request": _("请假申请"),
    "class.leave_decide": _("审批请假"), "class.reflection_submit": _("提交学习心得"),
    "class.reflection_review": _("批阅学习心得"), "class.cancel": _("取消培训班"),
    "class.enrolment_cancel": _("班次取消，撤销调训"),
    "class_plan.create": _("新建年度计划"), "class_plan.target": _("设置年度目标"),
    "lecturer.create": _("新增师资"),
    "user.create": _("新建账号"), "user.activate": _("启用账号"), "user.deactivate": _("停用账号"),
    "user.password": _("修改密码"), "user.reset_password": _("重置密码"),
    "user.open": _("批量开通账号"), "user.reissue_code": _("重发激活码"),
    "grant.create": _("授予权限"), "grant.revoke": _("撤销权限"),
    "demo.build": _("生成演示数据"), "demo.build_scale": _("生成规模测试数据"), "demo.classes": _("生成演示培训班"),
}


def label(code: str) -> str:
    if code in ACTIONS:
        return str(ACTIONS[code])
    area = AREAS.get(code.split(".", 1)[0])
    return f"{area}：{code}" if area else code


def area_choices() -> list[tuple[str, str]]:
    """(prefix to filter on, area) for the audit page's filter."""
    return [(f"{key}.", str(name)) for key, name in AREAS.items()]


# Keys of audit snapshots that are not a field of the audited model (or read better under another name).
KEYS = {
    "id_number": _("身份证号"), "phone": _("手机号"), "primary_org": _("所在组织"), "categories": _("人员类别"),
    "org": _("组织"), "reason": _("原因"), "year": _("年度"), "course": _("课程"), "hours": _("学时"),
    "form": _("学时类型"), "key": _("来源标识"), "file": _("文件"), "sha256": _("文件校验值"), "added": _("新增"),
    "skipped": _("跳过"), "seconds": _("时长（秒）"), "score": _("得分"), "passed": _("通过"), "number": _("次数"),
    "enrolments": _("撤销调训人数"), "leaves": _("未批请假"), "attendances": _("已有签到人次"),
    "steps": _("审批环节"), "step": _("环节"), "lines": _("预算明细"), "comment": _("审批意见"),
}


def model_field(model, key: str) -> Field | None:
    """``model``'s concrete field named ``key`` (not a reverse relation), if any."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, Field) else None


def key_label(model, key: str) -> str:
    if key in KEYS:
        return str(KEYS[key])
    field = model_field(model, key)
    return str(field.verbose_name) if field else key


def value_text(model, key: str, value) -> str:
    """A stored value in words where the field's choices say (judge → 判断题, True → 是)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    field = model_field(model, key)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def changes(object_type: str, values) -> list[tuple[str, str]]:
    """(label, value) of an audit row's before/after snapshot, for the audit page."""
    if not values:
        return []
    if not isinstance(values, dict):
        return [("", str(values))]
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        model = None
    return [(key_label(model, k), value_text(model, k, v)) for k, v in values.items()]
