"""/api/v1/surveys/: the surveys the caller runs, their results, and the surveys waiting for the caller's
answers. Read-only: a survey is drawn up and answered on the pages. Thin: access → query → schema."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from ninja import Router, Schema

from jingpei.core.apitypes import Year
from jingpei.surveys import access, queries
from jingpei.surveys.models import Survey

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    year: int
    state: str
    state_label: str
    org_id: int
    org_name: str
    class_id: int | None
    anonymous: bool
    closes_on: date | None
    opened_at: datetime | None
    responses: int = 0


class TallyOut(Schema):
    label: str
    count: int
    percent: Decimal


class QuestionOut(Schema):
    position: int
    text: str
    kind: str
    answered: int
    mean: Decimal | None
    tallies: list[TallyOut]
    others: list[tuple[str, int]]
    texts: list[str]
    condition: str  # its display condition in words ("" when every respondent was asked it)


class OrgRowOut(Schema):
    org_id: int
    org_name: str
    audience: int
    responses: int
    rate: Decimal


class ResultsOut(Schema):
    survey: SurveyOut
    audience: int
    responses: int
    rate: Decimal
    questions: list[QuestionOut]
    by_org: list[OrgRowOut]


def survey_out(s: Survey, responses: int = 0) -> dict:
    return {"id": s.pk, "kind": s.kind, "kind_label": s.get_kind_display(), "title": s.title, "year": s.year,
            "state": s.state, "state_label": s.get_state_display(), "org_id": s.org_id, "org_name": s.org.name,
            "class_id": s.klass_id, "anonymous": s.anonymous, "closes_on": s.closes_on, "opened_at": s.opened_at,
            "responses": responses}


@router.get("/", response=list[SurveyOut])
def list_surveys(request, year: Year | None = None):
    """The needs surveys and class evaluations of ``year`` (this year when absent) the caller runs."""
    surveys = (access.visible_surveys(request.user).filter(year=year or timezone.localdate().year)
               .select_related("org").annotate(n=Count("responses")).order_by("kind", "-created_at", "-pk"))
    return [survey_out(s, s.n) for s in surveys]


@router.get("/mine", response=list[SurveyOut])
def mine(request):
    """Open surveys waiting for the caller's answers."""
    return [survey_out(s) for s in access.answerable(request.user.person_id).select_related("org").order_by("closes_on", "pk")
            ] if request.user.person_id else []


@router.get("/{survey_id}/results", response=ResultsOut)
def results(request, survey_id: int):
    """Each question's figures; written answers without names (an anonymous survey stays anonymous here)."""
    survey = access.get_survey(request.user, survey_id)
    r = queries.results(survey)
    return {"survey": survey_out(survey, r.responses), "audience": r.audience, "responses": r.responses, "rate": r.rate,
            "questions": [{"position": q.question.position, "text": q.question.text, "kind": q.question.kind,
                           "answered": q.answered, "mean": q.mean, "others": q.others, "texts": q.texts, "condition": q.condition,
                           "tallies": [{"label": t.label, "count": t.count, "percent": t.percent} for t in q.tallies]}
                          for q in r.questions],
            "by_org": [{"org_id": row.org.pk, "org_name": row.org.name, "audience": row.audience,
                        "responses": row.responses, "rate": row.rate} for row in r.by_org]}
