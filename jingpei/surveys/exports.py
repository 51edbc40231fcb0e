"""A survey's answers as an Excel workbook: the figures of each question, then one row per answer sheet
(named only when the survey is not anonymous)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from jingpei.core.sheets import styled_row, text_row
from jingpei.surveys import services
from jingpei.surveys.models import QuestionKind, Response, Survey
from jingpei.surveys.queries import Results

BOLD = Font(bold=True)
NOT_ASKED = "—"  # a question whose display condition this sheet did not meet


def _answer_text(question, answer) -> str | int:
    if answer is None:
        return ""
    if question.kind == QuestionKind.SCALE:
        return answer.score
    if question.kind == QuestionKind.TEXT:
        return answer.text
    picked = "；".join(question.choices[i] for i in answer.choices if i < len(question.choices))
    return f"{picked}（{answer.other}）" if answer.other else picked


def survey_workbook(survey: Survey, results: Results) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("统计"))
    ws.column_dimensions["A"].width = 50
    ws.append(styled_row(ws, [survey.title], font=BOLD))
    ws.append([_("应填人数"), results.audience, _("已填人数"), results.responses, _("填写率（%）"), float(results.rate)])
    for r in results.questions:
        ws.append([])
        ws.append(styled_row(ws, [f"{r.question.position}. {r.question.text}（{r.question.get_kind_display()}）",
                                  _("人数"), _("比例（%）")], font=BOLD))
        if r.condition:  # its figures are of those who were asked
            ws.append(text_row(ws, [r.condition]))
        for t in r.tallies:
            ws.append(text_row(ws, [t.label, t.count, float(t.percent)]))
        if r.mean is not None:
            ws.append([_("平均分"), float(r.mean)])

    sheet = wb.create_sheet(_("答卷"))
    questions = list(survey.questions.order_by("position"))
    named = not survey.anonymous
    head = ([_("姓名"), _("所在组织")] if named else []) + [_("提交时间")] + [
        f"{q.position}. {q.text}" for q in questions]
    sheet.append(styled_row(sheet, head, font=BOLD))
    responses = Response.objects.filter(survey=survey).select_related("person", "org").prefetch_related("answers")
    conditional = any(q.condition for q in questions)
    for response in responses.order_by("pk").iterator(chunk_size=500):
        by_question = {a.question_id: a for a in response.answers.all()}
        # a question this person was not asked (its condition unmet) is told apart from one left blank
        asked = {q.pk for q in services.asked(questions, by_question)} if conditional else None
        row = ([response.person.name, response.org.name] if named else []) + [
            f"{timezone.localtime(response.submitted_at):%Y-%m-%d %H:%M}"]
        row += [_answer_text(q, by_question.get(q.pk)) if asked is None or q.pk in asked else NOT_ASKED
                for q in questions]
        sheet.append(text_row(sheet, row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
