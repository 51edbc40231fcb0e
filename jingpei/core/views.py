from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import get_language
from django.views import defaults
from django_htmx.http import HttpResponseClientRedirect

from jingpei.core.models import Job
from jingpei.core.overview import gauges_for
from jingpei.core.todo import todos_for


@login_required
def home(request):
    from jingpei.orgs.queries import home_summary  # the summary belongs to orgs; home only shows it

    return render(
        request,
        "core/home.html",
        # The shortcuts are the menu's items (``nav_items``, from the context processor): worked out once.
        {"summary": home_summary(request.user), "todos": todos_for(request.user),
         "gauges": gauges_for(request.user)},
    )


@login_required
def user_guide(request):
    from jingpei.core.help import guide

    html, sections = guide(get_language())
    return render(request, "core/help.html", {"guide": html, "sections": sections})


def _own_job(request, job_id) -> Job:
    try:
        return Job.objects.get(pk=job_id, created_by=request.user)
    except (Job.DoesNotExist, ValueError):
        raise Http404 from None


def job_file(request, job_id, *, name: str, path_of, filename, content_type: str | None = None) -> FileResponse:
    """The file that one of the user's own finished ``name`` jobs wrote; 404 for another user's job, one
    not finished, or a file since removed. ``filename``: a string, or made from the job."""
    try:
        job = Job.objects.get(pk=job_id, created_by=request.user, name=name, status=Job.Status.DONE)
    except (Job.DoesNotExist, ValueError):
        raise Http404 from None
    path = path_of(job.pk)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, content_type=content_type,
                        filename=filename(job) if callable(filename) else filename)


@login_required
def job_status(request, job_id):
    """A job's progress: the full page, or the bar alone for htmx polling. The poll that sees a job done
    whose result is a page (``jobs.opening``) takes the browser there: the user was waiting for it."""
    job = _own_job(request, job_id)
    result = job.result or {}
    if request.htmx and job.status == Job.Status.DONE and result.get("open"):
        return HttpResponseClientRedirect(result["url"])
    template = "core/_job_progress.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


def healthz(request):
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (a PDF, a download): the pages' icon."""
    return redirect(static("jingpei/favicon.svg"), permanent=True)


def not_found(request, exception):
    """Django's 404 page, after reading a POST body once: the page's CSRF step reads ``request.POST``, and a
    broken multipart body (no boundary) raised there, inside the error handler, which answers 500."""
    try:
        request.POST  # noqa: B018  (parsing is the point)
    except MultiPartParserError:
        return HttpResponseBadRequest()
    return defaults.page_not_found(request, exception)
