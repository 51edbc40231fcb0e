"""QR sign-in pages: the projector (head) and the scan landing page (trainee's phone).

Logging in on the phone may take longer than a code lives. So when an anonymous phone opens a
*valid* code, the code is remembered in that browser's session before the login redirect (Django keeps
session data across login), and accepted afterwards for a few minutes in that browser only. A copy of
the link opened elsewhere later is still refused as expired.

A device that signed one person in with a code may not sign a second person in with the same code
(a signed cookie survives logout): that is the "replayed code" of a trainee signing in for absent
colleagues.
"""

from __future__ import annotations

from datetime import UTC, datetime

import segno
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jingpei.classes import access, services, signin
from jingpei.classes.models import Attendance, Enrolment, Session
from jingpei.classes.views import forbid_not_allowed

PENDING_KEY = "classes_pending_scan"
PENDING_SECONDS = 300
USED_COOKIE = "jp_scan_used"
USED_SALT = "jingpei.classes.scan_used"


def _scan_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("classes:scan", kwargs={"token": token}))


def _code_context(request, session: Session) -> dict:
    now = timezone.now()
    window_error = services.self_sign_in_window_error(session, now)
    ctx = {"session": session, "window_error": window_error,
           "signed": Attendance.objects.filter(session=session).count(),
           "expected": Enrolment.objects.filter(klass_id=session.klass_id, status=Enrolment.Status.APPROVED).count()}
    if not window_error:
        url = _scan_url(request, signin.make_token(session.pk, now))
        ctx.update(scan_url=url, svg=segno.make(url, error="m").svg_inline(scale=8, border=2),
                   seconds_left=signin.seconds_left(now))
    return ctx


@never_cache
@forbid_not_allowed
def projector(request, session_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = access.get_session(request.user, session_id, write=True)
    return render(request, "classes/projector.html", _code_context(request, session))


@never_cache
@forbid_not_allowed
def projector_code(request, session_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = access.get_session(request.user, session_id, write=True)
    return render(request, "classes/_projector_code.html", _code_context(request, session))


def _used_on_device(request) -> list[str]:
    try:
        return request.get_signed_cookie(USED_COOKIE, salt=USED_SALT, max_age=3600).split(",")
    except (KeyError, signing.BadSignature):
        return []


def _result(request, *, error: str = "", message: str = "", status: int = 200, session=None):
    return render(request, "classes/scan_result.html",
                  {"error": error, "message": message, "session": session}, status=status)


@never_cache
def scan(request, token):
    now = timezone.now()
    pending = request.session.get(PENDING_KEY) or {}
    resumed = pending.get("token") == token and now.timestamp() - pending.get("at", 0) < PENDING_SECONDS
    check = signin.check_token(token, now, ignore_expiry=resumed)
    if not check.ok:
        return _result(request, error=check.error, status=400)
    if not request.user.is_authenticated:
        request.session[PENDING_KEY] = {"token": token, "at": now.timestamp()}
        return redirect_to_login(request.get_full_path())
    scanned_at = datetime.fromtimestamp(pending["at"], tz=UTC) if resumed else now
    request.session.pop(PENDING_KEY, None)

    session = Session.objects.select_related("klass").filter(pk=check.session_id).first()
    person_id = request.user.person_id
    enrolment = None
    if session is not None and person_id:
        enrolment = Enrolment.objects.select_related("person", "org").filter(
            klass_id=session.klass_id, person_id=person_id, status=Enrolment.Status.APPROVED).first()
    if enrolment is None:
        # Say nothing about the class: the scanner may be anyone.
        return _result(request, error=_("您不在该课次所属班次的已录取学员名单中，不能签到。"), status=403)
    window_error = services.self_sign_in_window_error(session, scanned_at)
    if window_error:
        return _result(request, error=window_error, status=400, session=session)

    slot_key = f"{session.pk}.{check.slot}"
    used = _used_on_device(request)
    if any(u.startswith(slot_key + ".") and u != f"{slot_key}.{person_id}" for u in used):
        return _result(request, error=_("该二维码已在本设备为他人签到，不能重复使用（禁止代签）。"), status=409,
                       session=session)
    attendance, created = services.sign_in(actor=request.user, session=session, enrolment=enrolment,
                                           at=scanned_at)
    when = timezone.localtime(attendance.signed_at).strftime("%H:%M")
    if created:
        message = (_("签到成功（迟到），签到时间 %(t)s。") if attendance.status == Attendance.Status.LATE
                   else _("签到成功，签到时间 %(t)s。")) % {"t": when}
    else:
        message = _("您已于 %(t)s 签到，无需重复扫码。") % {"t": when}
    response = _result(request, message=message, session=session)
    entry = f"{slot_key}.{person_id}"
    if entry not in used:
        response.set_signed_cookie(USED_COOKIE, ",".join([*used[-40:], entry]), salt=USED_SALT, max_age=3600,
                                   httponly=True, samesite="Lax")
    return response
