"""Fetch-and-authorise for classes. Who sees a class:

* officers (``Perm.CLASS_MANAGE``) — classes organized in their subtree, with everything in them;
* class heads — the classes they head, and classes organized in a ``Perm.CLASS_HEAD`` subtree;
* liaisons (``Perm.CLASS_NOMINATE``) — classes open to their subtree (a quota or an audience
  organization inside it or above it), and in them only the enrolments of their own subtree;
* lecturers — classes they teach a session of (no enrolments);
* trainees — classes they are enrolled in, and their own enrolment only.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from jingpei.classes.models import AnnualPlan, Certificate, Enrolment, Lecturer, Session, TrainingClass
from jingpei.core.errors import NotAllowed
from jingpei.core.lookups import id_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import Scope, scope_for
from jingpei.orgs.models import Organization


def open_to_scope_q(scope: Scope) -> Q:
    """Classes whose quota or audience organizations reach into ``scope``: the organization is inside
    the scope, or is above it (a class open to the whole district is open to each township)."""
    if scope.empty:
        return Q(pk__in=[])
    above = sorted({p for prefix in scope.prefixes for p in Organization.paths_through(prefix)})
    condition = Q(quotas__org__path__in=above) | Q(audience_orgs__path__in=above)
    # A class with neither quotas nor audience is open to the organizer's whole subtree.
    condition |= Q(organizer__path__in=above, quotas__isnull=True, audience_orgs__isnull=True)
    for prefix in scope.prefixes:
        condition |= Q(quotas__org__path__startswith=prefix) | Q(audience_orgs__path__startswith=prefix)
    return condition


def visible_classes(user):
    if not getattr(user, "is_authenticated", False):
        return TrainingClass.objects.none()
    condition = Q(pk__in=[])
    manage = scope_for(user, Perm.CLASS_MANAGE)
    if not manage.empty:
        condition |= manage.q("organizer__path")
    head = scope_for(user, Perm.CLASS_HEAD)
    if not head.empty:
        condition |= head.q("organizer__path")
    condition |= Q(head_id=user.pk)
    # A lecturer in the pool linked to this account sees the classes they teach in.
    condition |= Q(pk__in=Session.objects.filter(lecturer__user_id=user.pk).values("klass_id"))
    nominate = scope_for(user, Perm.CLASS_NOMINATE)
    if not nominate.empty:
        open_ids = TrainingClass.objects.filter(open_to_scope_q(nominate)).exclude(
            status=TrainingClass.Status.DRAFT).values("pk")
        condition |= Q(pk__in=open_ids)
    if getattr(user, "person_id", None):
        condition |= Q(pk__in=Enrolment.objects.filter(person_id=user.person_id).values("klass_id"))
    return TrainingClass.objects.filter(condition)


def can_manage(user, klass: TrainingClass) -> bool:
    return scope_for(user, Perm.CLASS_MANAGE).covers(klass.organizer.path)


def runnable_classes(user):
    """The classes ``user`` may act on as the class head (``can_run`` for many at once)."""
    condition = Q(head_id=user.pk)
    for perm in (Perm.CLASS_MANAGE, Perm.CLASS_HEAD):
        scope = scope_for(user, perm)
        if not scope.empty:
            condition |= scope.q("organizer__path")
    return TrainingClass.objects.filter(condition)


def can_run(user, klass: TrainingClass) -> bool:
    """May act as the class head: roster decisions, sign-in, leave, reflections, completion."""
    if getattr(user, "pk", None) and klass.head_id == user.pk:
        return True
    return can_manage(user, klass) or scope_for(user, Perm.CLASS_HEAD).covers(klass.organizer.path)



def get_class(user, class_id, *, write: bool = False) -> TrainingClass:
    """The class if ``user`` may see it (404 otherwise); with ``write``, 403 unless they may run it."""
    klass = visible_classes(user).select_related("organizer", "head", "plan").filter(pk=id_or_404(class_id)).first()
    if klass is None:
        raise Http404
    if write and not can_run(user, klass):
        raise NotAllowed(_("只有主办单位或本班班主任可以执行该操作。"))
    return klass


def get_session(user, session_id, *, write: bool = False) -> Session:
    session = Session.objects.select_related("klass", "lecturer").filter(pk=id_or_404(session_id)).first()
    if session is None:
        raise Http404
    get_class(user, session.klass_id, write=write)
    return session


def visible_enrolments(user, klass: TrainingClass):
    """The enrolments of ``klass`` the user may see: all for who runs it, their subtree's for a
    liaison, their own for a trainee."""
    qs = klass.enrolments.select_related("person", "org")
    if can_run(user, klass):
        return qs
    condition = scope_for(user, Perm.CLASS_NOMINATE).q("org__path")
    if getattr(user, "person_id", None):
        condition |= Q(person_id=user.person_id)
    return qs.filter(condition)


def get_enrolment(user, enrolment_id, *, write: bool = False) -> Enrolment:
    enrolment = Enrolment.objects.select_related("klass", "klass__organizer", "person", "org").filter(
        pk=id_or_404(enrolment_id)).first()
    if enrolment is None:
        raise Http404
    klass = get_class(user, enrolment.klass_id)
    if not visible_enrolments(user, klass).filter(pk=enrolment.pk).exists():
        raise Http404
    if write and not can_run(user, klass):
        raise NotAllowed(_("只有主办单位或本班班主任可以执行该操作。"))
    return enrolment


def own_enrolment(user, enrolment_id) -> Enrolment:
    """An enrolment of the logged-in trainee (404 for anyone else's)."""
    enrolment = Enrolment.objects.select_related("klass", "klass__organizer", "person").filter(
        pk=id_or_404(enrolment_id), person_id=getattr(user, "person_id", None) or -1).first()
    if enrolment is None:
        raise Http404
    return enrolment


def get_certificate(user, certificate_id) -> Certificate:
    cert = Certificate.objects.select_related("enrolment", "klass").filter(pk=id_or_404(certificate_id)).first()
    if cert is None:
        raise Http404
    if cert.enrolment.person_id == getattr(user, "person_id", None):
        return cert
    get_enrolment(user, cert.enrolment_id)
    return cert


def visible_plans(user):
    scope = scope_for(user, Perm.CLASS_MANAGE)
    return AnnualPlan.objects.filter(scope.q("org__path"))


def get_plan(user, plan_id, *, write: bool = False) -> AnnualPlan:
    plan = visible_plans(user).select_related("org").filter(pk=id_or_404(plan_id)).first()
    if plan is None:
        raise Http404
    return plan


def visible_lecturers(user):
    scope = scope_for(user, Perm.CLASS_MANAGE)
    head = scope_for(user, Perm.CLASS_HEAD)
    return Lecturer.objects.filter(scope.q("owner_org__path") | head.q("owner_org__path"))


def get_lecturer(user, lecturer_id) -> Lecturer:
    lecturer = visible_lecturers(user).filter(pk=id_or_404(lecturer_id)).first()
    if lecturer is None:
        raise Http404
    return lecturer
