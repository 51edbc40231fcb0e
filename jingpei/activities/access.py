"""Fetch-and-authorise for sessions, meetings and photos (see ``jingpei.orgs.access`` for the style).

Reading needs ``Perm.ACTIVITY_VIEW`` over the branch (sessions) or the organiser (meetings); writing a
session needs ``Perm.ACTIVITY_LOG`` over its branch (the branch secretary and the offices above it),
writing a meeting ``Perm.MEETING_MANAGE`` over its organiser.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from jingpei.activities.models import BranchSession, Meeting, SessionPhoto
from jingpei.core.errors import NotAllowed
from jingpei.core.lookups import id_or_404
from jingpei.core.permissions import Perm
from jingpei.core.scoping import scope_for
from jingpei.orgs.models import Organization


def _view_scope(user):
    """Who logs may also read what they logged (a secretary's grant gives both, but be explicit)."""
    view, log = scope_for(user, Perm.ACTIVITY_VIEW), scope_for(user, Perm.ACTIVITY_LOG)
    return view, log


def can_view_path(user, path: str) -> bool:
    view, log = _view_scope(user)
    return view.covers(path) or log.covers(path)


def can_log(user, branch: Organization) -> bool:
    return branch.kind == "branch" and scope_for(user, Perm.ACTIVITY_LOG).covers(branch.path)


def can_manage_meeting(user, organizer: Organization) -> bool:
    return scope_for(user, Perm.MEETING_MANAGE).covers(organizer.path)


# --- organisations --------------------------------------------------------------------------------
def get_activity_org(user, org_id) -> Organization:
    """Any organisation of the user's activity scope (404 otherwise)."""
    try:
        org = Organization.objects.get(pk=id_or_404(org_id), archived_at__isnull=True)
    except Organization.DoesNotExist:
        raise Http404 from None
    if not can_view_path(user, org.path):
        raise Http404
    return org


def get_branch(user, org_id, *, write: bool = False) -> Organization:
    org = get_activity_org(user, org_id)
    if org.kind != "branch":
        raise Http404
    if write and not can_log(user, org):
        raise NotAllowed(_("只有本支部书记及上级组织可以登记该支部的学习。"))
    return org


def activity_roots(user) -> list[Organization]:
    view, log = _view_scope(user)
    prefixes = set(view.prefixes) | set(log.prefixes)
    kept = sorted(prefixes, key=len)
    minimal = [p for i, p in enumerate(kept) if not any(p.startswith(k) for k in kept[:i])]
    return list(Organization.objects.filter(path__in=minimal, archived_at__isnull=True).order_by("path"))


def loggable_branches(user):
    return Organization.objects.filter(scope_for(user, Perm.ACTIVITY_LOG).q("path"), kind="branch",
                                       archived_at__isnull=True)


# --- sessions -------------------------------------------------------------------------------------
def visible_sessions(user):
    view, log = _view_scope(user)
    if view.empty and log.empty:
        return BranchSession.objects.none()
    return BranchSession.objects.filter(view.q("branch__path") | log.q("branch__path"))


def get_session(user, session_id, *, write: bool = False) -> BranchSession:
    try:
        session = BranchSession.objects.select_related("branch").get(pk=id_or_404(session_id))
    except BranchSession.DoesNotExist:
        raise Http404 from None
    if not can_view_path(user, session.branch.path):
        raise Http404
    if write and not can_log(user, session.branch):
        raise NotAllowed(_("只有本支部书记及上级组织可以修改该支部的学习记录。"))
    return session


def get_photo(user, photo_id) -> SessionPhoto:
    try:
        photo = SessionPhoto.objects.select_related("session__branch").get(pk=id_or_404(photo_id))
    except SessionPhoto.DoesNotExist:
        raise Http404 from None
    if not can_view_path(user, photo.session.branch.path):
        raise Http404
    return photo


# --- meetings -------------------------------------------------------------------------------------
def visible_meetings(user):
    view, manage = scope_for(user, Perm.ACTIVITY_VIEW), scope_for(user, Perm.MEETING_MANAGE)
    if view.empty and manage.empty:
        return Meeting.objects.none()
    return Meeting.objects.filter(view.q("organizer__path") | manage.q("organizer__path"))


def get_meeting(user, meeting_id, *, write: bool = False) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("organizer").get(pk=id_or_404(meeting_id))
    except Meeting.DoesNotExist:
        raise Http404 from None
    path = meeting.organizer.path
    if not (scope_for(user, Perm.ACTIVITY_VIEW).covers(path) or can_manage_meeting(user, meeting.organizer)):
        raise Http404
    if write and not can_manage_meeting(user, meeting.organizer):
        raise NotAllowed(_("只有培训专员可以修改以会代训记录。"))
    return meeting
