"""Who a survey is meant for, as querysets: the people counted in its response rate and the accounts told
when it opens. ``access.surveys_for_person`` is the same rule seen from one person."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from jingpei.classes.models import Enrolment
from jingpei.orgs.models import Person, PersonCategory
from jingpei.surveys.models import Kind, Survey


def people(survey: Survey) -> QuerySet[Person]:
    if survey.kind == Kind.EVALUATION:
        admitted = Enrolment.objects.filter(klass_id=survey.klass_id, status=Enrolment.Status.APPROVED)
        return Person.objects.filter(pk__in=admitted.values("person_id"))
    chosen = list(survey.categories.values_list("pk", flat=True))
    qs = Person.objects.active().in_subtree(survey.org)
    if chosen:
        qs = qs.filter(Exists(PersonCategory.objects.filter(person_id=OuterRef("pk"), year=survey.year,
                                                            category_id__in=chosen)))
    return qs


def accounts(survey: Survey):
    from jingpei.accounts.models import User

    return User.objects.filter(is_active=True, person__in=people(survey)).order_by("pk")
