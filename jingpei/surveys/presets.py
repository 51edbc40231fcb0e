"""The questionnaires a survey may start from: the needs questionnaire of the source articles' topics and
forms, and the evaluation of a class (the standard items, then one score per session and its lecturer)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.surveys.models import QuestionKind

NEED_SEPARATORS = re.compile(r"[、，,；;／/\s]+")
OTHER = "其他"  # a choice of this name asks the person to spell their answer out


def is_other(choice: str) -> bool:
    """Such a choice: 其他, or Other when the questionnaire was drawn up in English."""
    return choice in (OTHER, _("其他"))


@dataclass(frozen=True)
class ShownIf:
    """A question's condition as typed: asked only if question number ``question`` (an earlier choice
    question, counted from 1) was answered with one of ``choices`` (their texts, or their numbers)."""

    question: int
    choices: tuple[str, ...]


@dataclass
class QuestionInput:
    kind: str
    text: str
    choices: list[str] = field(default_factory=list)
    required: bool = True
    max_choices: int = 0
    session_id: int | None = None
    topics: bool = False
    shown_if: ShownIf | None = None


def split_needs(text: str) -> list[str]:
    """The needs a note names, one per 、，,；/ or space-separated part, blanks dropped, in order, once each."""
    return list(dict.fromkeys(p.strip() for p in NEED_SEPARATORS.split(text or "") if p.strip()))


def needs_questionnaire() -> list[QuestionInput]:
    return [
        QuestionInput(QuestionKind.MULTIPLE, _("您最希望参加哪些专题的培训？"), [
            _("乡村振兴政策解读"), _("扶贫产业发展"), _("壮大村集体经济"), _("干部能力提升"), _("农村电子商务"),
            _("基层党建"), _("农业实用技术"), _("法律法规与矛盾调解"), _("其他")], max_choices=3, topics=True),
        QuestionInput(QuestionKind.MULTIPLE, _("您希望采用哪些培训形式？"), [
            _("集中专题培训班"), _("交流考察学习"), _("移动讲堂（送教下乡）"), _("网络在线学习"), _("以会代训"),
            _("其他")], max_choices=2),
        QuestionInput(QuestionKind.SINGLE, _("您认为一期集中培训多长时间合适？"), [
            _("1 天以内"), _("2–3 天"), _("4–7 天"), _("7 天以上")]),
        QuestionInput(QuestionKind.SINGLE, _("您最方便参加培训的时间？"), [
            _("1–3 月（农闲）"), _("4–6 月"), _("7–9 月"), _("10–12 月")]),
        QuestionInput(QuestionKind.SCALE, _("您对过去一年参加的培训总体满意吗？（1 分很不满意，5 分非常满意）")),
        QuestionInput(QuestionKind.SINGLE, _("过去一年您参加过网络在线学习吗？"), [_("参加过"), _("没有参加")]),
        QuestionInput(QuestionKind.MULTIPLE, _("网络在线学习中，您遇到的主要问题是？"), [
            _("课程与工作不对口"), _("工作忙，没有时间"), _("网络或设备不便"), _("不会操作"), _("其他")],
            shown_if=ShownIf(6, (_("参加过"),))),
        QuestionInput(QuestionKind.MULTIPLE, _("您没有参加网络在线学习的原因是？"), [
            _("不知道学习平台"), _("没有账号"), _("工作忙，没有时间"), _("网络或设备不便"), _("其他")],
            shown_if=ShownIf(6, (_("没有参加"),))),
        QuestionInput(QuestionKind.TEXT, _("您在工作中遇到的最大困难，或最希望学习的内容："), required=False),
    ]


def evaluation_questionnaire(sessions) -> list[QuestionInput]:
    """The class's evaluation: the standard items, one score for each session, and suggestions."""
    questions = [
        QuestionInput(QuestionKind.SCALE, _("培训内容的针对性和实用性")),
        QuestionInput(QuestionKind.SCALE, _("授课方式与课堂互动")),
        QuestionInput(QuestionKind.SCALE, _("组织管理与后勤服务")),
    ]
    for session in sessions:
        teacher = f"（{session.lecturer.name}）" if session.lecturer_id else ""
        text = _("课程评分：%(d)s《%(s)s》%(t)s") % {
            "d": f"{timezone.localtime(session.starts_at):%m-%d}", "s": session.subject, "t": teacher}
        questions.append(QuestionInput(QuestionKind.SCALE, text[:200], session_id=session.pk))
    questions += [
        QuestionInput(QuestionKind.SCALE, _("对本期培训的总体满意度")),
        QuestionInput(QuestionKind.TEXT, _("意见和建议："), required=False),
    ]
    return questions
