"""Fetch-and-authorise for surveys and needs-survey notes (see ``jingpei.orgs.access`` for the style).

* A needs survey and the notes belong to the organisation that runs them: ``Perm.SURVEY_MANAGE`` over it
  (the training officer) sees, edits, opens and closes them and reads the results.
* A class's evaluation belongs to the class: whoever may run the class (its organiser, its head) does the
  same with it.
* A person answers a survey that is open and meant for them: a needs survey of an organisation they are a
  member under (of the chosen categories, when there are any); the evaluation of a class they were admitted
  to. They see their own answers, never the results.
* A lecturer sees the scores of their own sessions only (``queries.teaching_scores``), never a survey.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingpei.classes.access import runnable_classes
from jingpei.classes.models import Enrolment
from jingpei.core.errors import NotAllowed
from jingpei.core.lookups import id_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.access import acting_orgs, get_acting_org, visible_people
from jingpei.orgs.models import Membership, Organization, Person, PersonCategory
from jingpei.surveys import audience
from jingpei.surveys.models import Kind, Note, State, Survey


def visible_surveys(user) -> QuerySet[Survey]:
    if not getattr(user, "is_authenticated", False):
        return Survey.objects.none()
    condition = scope_for(user, Perm.SURVEY_MANAGE).q("org__path") & Q(kind=Kind.NEEDS)
    condition |= Q(kind=Kind.EVALUATION, klass__in=runnable_classes(user).values("pk"))
    return Survey.objects.filter(condition)


def get_survey(user, survey_id) -> Survey:
    """A survey the user runs (404 otherwise). Whoever sees one may also act on it: no role reads surveys
    without running them, so there is no ``write`` flag as in the other apps' access."""
    survey = visible_surveys(user).select_related("org", "klass").filter(pk=id_or_404(survey_id)).first()
    if survey is None:
        raise Http404
    return survey


def can_start_needs(user) -> bool:
    return not scope_for(user, Perm.SURVEY_MANAGE).empty


def managed_orgs(user) -> QuerySet[Organization]:
    """Organisations the user may run a needs survey or keep notes for."""
    return acting_orgs(user, Perm.SURVEY_MANAGE)


def get_managed_org(user, org_id) -> Organization:
    return get_acting_org(user, org_id, Perm.SURVEY_MANAGE)


def _audience_of_needs(person_id) -> Q:
    """Open needs surveys meant for the person: of an organisation at or above one of theirs, limited to
    the chosen categories (in the survey's year) when there are any."""
    memberships = Membership.objects.filter(person_id=person_id, org__path__startswith=OuterRef("org__path"))
    chosen = Survey.categories.through.objects.filter(survey_id=OuterRef(OuterRef("pk"))).values("category_id")
    in_category = PersonCategory.objects.filter(person_id=person_id, year=OuterRef("year"), category_id__in=chosen)
    no_categories = ~Exists(Survey.categories.through.objects.filter(survey_id=OuterRef("pk")))
    return Q(kind=Kind.NEEDS) & Q(Exists(memberships)) & (no_categories | Q(Exists(in_category)))


def _audience_of_evaluations(person_id) -> Q:
    admitted = Enrolment.objects.filter(person_id=person_id, klass_id=OuterRef("klass_id"),
                                        status=Enrolment.Status.APPROVED)
    return Q(kind=Kind.EVALUATION) & Q(Exists(admitted))


def surveys_for_person(person_id) -> QuerySet[Survey]:
    """Every survey, in any state, whose audience the person is in."""
    if not person_id:
        return Survey.objects.none()
    return Survey.objects.filter(_audience_of_needs(person_id) | _audience_of_evaluations(person_id)).exclude(
        state=State.DRAFT)


def answerable(person_id) -> QuerySet[Survey]:
    """Open surveys the person may still answer (not past their closing day, not answered yet)."""
    today = timezone.localdate()
    return surveys_for_person(person_id).filter(state=State.OPEN).filter(
        Q(closes_on__isnull=True) | Q(closes_on__gte=today)).exclude(responses__person_id=person_id)


def get_for_answer(user, survey_id) -> Survey:
    """A survey the logged-in person is in the audience of (404 for anyone else)."""
    person_id = getattr(user, "person_id", None)
    survey = surveys_for_person(person_id).select_related("org", "klass").filter(pk=id_or_404(survey_id)).first()
    if survey is None:
        raise Http404
    return survey


def _may_enter(user, survey: Survey):
    if survey.state != State.OPEN or not visible_surveys(user).filter(pk=survey.pk).exists():
        return Person.objects.none()
    return audience.people(survey).filter(pk__in=visible_people(user).values("pk"))


def enterable_people(user, survey: Survey):
    """The people whose paper questionnaire ``user`` may type in: of the open survey's audience, within the
    user's sight, the survey being one the user runs; not answered yet."""
    return _may_enter(user, survey).exclude(pk__in=survey.responses.values("person_id"))


def can_enter_for(user, survey: Survey, person) -> bool:
    return _may_enter(user, survey).filter(pk=person.pk).exists()


def visible_notes(user) -> QuerySet[Note]:
    return Note.objects.filter(scope_for(user, Perm.SURVEY_MANAGE).q("org__path"))


def get_note(user, note_id) -> Note:
    note = visible_notes(user).select_related("org").filter(pk=id_or_404(note_id)).first()
    if note is None:
        raise Http404
    return note


def require_runner(user, survey: Survey) -> None:
    """The service's own check: the survey is the user's to run (they may have lost the grant since the
    page was shown)."""
    if not visible_surveys(user).filter(pk=survey.pk).exists():
        raise NotAllowed(_("只有发起单位的培训专员（评估问卷：培训班的主办单位或班主任）可以操作这份问卷。"))
