import pytest
from django.test import override_settings

from jingpei.core import jobs
from jingpei.core.models import Job


@jobs.task("test.count")
def count_job(ctx, *, n: int):
    for i in range(n):
        ctx.progress(i + 1, n, f"第 {i + 1} 条", force=True)
    return {"counted": n}


@jobs.task("test.fail")
def failing_job(ctx):
    from jingpei.core.errors import DomainError

    raise DomainError("第 3 行：身份证号校验位不正确")


@pytest.mark.django_db(transaction=True)
def test_immediate_mode_runs_after_commit_and_reports_progress(cast):
    job = jobs.enqueue("test.count", user=cast.liaison_a, title="计数", n=3)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"counted": 3} and job.percent == 100
    assert job.message == "第 3 条"


@pytest.mark.django_db(transaction=True)
def test_failure_is_recorded_with_the_users_message(cast):
    job = jobs.enqueue("test.fail", user=cast.liaison_a)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "第 3 行：身份证号校验位不正确"


@pytest.mark.django_db(transaction=True)
def test_worker_claims_each_job_once(cast):
    with override_settings(JOBS_MODE="external"):
        created = [jobs.enqueue("test.count", user=cast.liaison_a, n=1) for _ in range(3)]
    assert all(Job.objects.get(pk=j.pk).status == Job.Status.QUEUED for j in created)
    assert jobs.run_pending("w1") == 3
    assert jobs.run_pending("w2") == 0
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}


def test_progress_page_is_only_for_the_owner(client_as, cast):
    job = Job.objects.create(name="test.count", title="导出", created_by=cast.liaison_a, total=10, done=4)
    resp = client_as(cast.liaison_a).get(f"/jobs/{job.pk}/")
    assert resp.status_code == 200 and "40%" in resp.content.decode()
    resp = client_as(cast.liaison_a).get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in resp.content.decode()
    assert client_as(cast.liaison_b).get(f"/jobs/{job.pk}/").status_code == 404


def test_the_poll_that_sees_a_page_job_done_opens_the_page(client_as, cast):
    client = client_as(cast.liaison_a)
    page = Job.objects.create(name="test.count", title="校验", created_by=cast.liaison_a, status=Job.Status.DONE,
                              result=jobs.opening("/roster/imports/7/", "查看校验结果"))
    resp = client.get(f"/jobs/{page.pk}/", HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and resp["HX-Redirect"] == "/roster/imports/7/"
    # the full page (a later visit, a reload) is not moved on: it shows the result's button
    resp = client.get(f"/jobs/{page.pk}/")
    assert "HX-Redirect" not in resp and 'href="/roster/imports/7/"' in resp.content.decode()
    download = Job.objects.create(name="test.count", title="导出", created_by=cast.liaison_a, status=Job.Status.DONE,
                                  result={"url": "/roster/exports/3/download/", "label": "下载导出文件"})
    resp = client.get(f"/jobs/{download.pk}/", HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in resp and "下载导出文件" in resp.content.decode()
    running = Job.objects.create(name="test.count", title="校验", created_by=cast.liaison_a, status=Job.Status.RUNNING,
                                 result=jobs.opening("/roster/imports/7/", "查看校验结果"))
    assert "HX-Redirect" not in client.get(f"/jobs/{running.pk}/", HTTP_HX_REQUEST="true")
    assert client_as(cast.liaison_b).get(f"/jobs/{page.pk}/", HTTP_HX_REQUEST="true").status_code == 404


def test_stale_running_jobs_are_failed(cast):
    from datetime import timedelta

    from django.utils import timezone

    job = Job.objects.create(
        name="test.count", status=Job.Status.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert jobs.fail_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "重新提交" in job.error


@pytest.mark.django_db(transaction=True)
def test_a_button_pressed_twice_gets_the_job_already_pending(cast):
    from datetime import timedelta

    from django.utils import timezone

    with override_settings(JOBS_MODE="external"):
        first = jobs.enqueue("test.count", user=cast.liaison_a, reuse=True, n=2)
        assert jobs.enqueue("test.count", user=cast.liaison_a, reuse=True, n=2).pk == first.pk
        # other parameters, another user, or no reuse asked: a job of its own
        assert jobs.enqueue("test.count", user=cast.liaison_a, reuse=True, n=3).pk != first.pk
        assert jobs.enqueue("test.count", user=cast.liaison_b, reuse=True, n=2).pk != first.pk
        assert jobs.enqueue("test.count", user=cast.liaison_a, n=2).pk != first.pk
        Job.objects.exclude(pk=first.pk).delete()
        # a running job is reused while its worker is alive, not once it went silent
        Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now())
        assert jobs.enqueue("test.count", user=cast.liaison_a, reuse=True, n=2).pk == first.pk
        Job.objects.filter(pk=first.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        assert jobs.enqueue("test.count", user=cast.liaison_a, reuse=True, n=2).pk != first.pk
    jobs.run_pending("w1")
    # once done, pressing again builds a fresh file
    Job.objects.filter(pk=first.pk).update(status=Job.Status.DONE)
    assert jobs.enqueue("test.count", user=cast.liaison_a, reuse=True, n=2).pk != first.pk


def test_downloading_a_subtrees_records_twice_queues_one_archive(client_as, cast):
    client = client_as(cast.liaison_a)
    url = f"/ledger/org/{cast.town_a.pk}/records/"
    with override_settings(JOBS_MODE="external"):
        first = client.post(url, {"year": "2026"})
        second = client.post(url, {"year": "2026"})
        other_year = client.post(url, {"year": "2025"})
    assert first["Location"] == second["Location"] != other_year["Location"]
    assert Job.objects.filter(name="ledger.records_archive").count() == 2
