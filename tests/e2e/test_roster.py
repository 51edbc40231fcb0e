"""Browser: a township liaison imports a roster (upload → mapping → preview → commit), on a desktop
and on a phone."""

from __future__ import annotations

import pytest

from jingpei.orgs.models import Person
from tests.e2e.conftest import login, shot
from tests.factories import valid_id
from tests.roster.builders import row, xlsx


def _file(tmp_path, good: str, bad: str):
    upload = xlsx([row("张伟", good, "朱集村"), row("李娜", bad, "朱集村", seq=2)])
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(upload.read())
    return path


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_liaison_imports_a_roster(cast, request, tmp_path, device):
    page = request.getfixturevalue(device)
    good, bad = valid_id(), valid_id()
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    login(page, "liaison_a")
    page.goto(page.base + "/roster/")
    page.set_input_files("input[type=file]", str(_file(tmp_path, good, bad)))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=mapping-form]")
    assert page.input_value("select[name=col_id_number]") == "2"
    shot(page, f"roster-mapping-{device}")
    page.click("[data-testid=validate]")
    page.wait_for_selector("[data-testid=counts]")
    assert page.inner_text("[data-count=new]") == "1"
    assert page.inner_text("[data-count=rejected]") == "1"
    assert "校验位不正确" in page.inner_text("[data-testid=problems]")
    assert Person.objects.filter(name="张伟").count() == 0
    shot(page, f"roster-preview-{device}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=committed]")
    shot(page, f"roster-committed-{device}")
    assert Person.objects.filter(name="张伟").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_preview_opens_by_itself_when_a_worker_finishes_the_check(cast, desktop, served, tmp_path, settings):
    """With a worker (not the tests' immediate jobs) the check runs after the click: the page shows its
    progress, and the poll that sees it done brings the preview up without a click."""
    from jingpei.core import jobs
    from jingpei.roster.models import RosterImport

    settings.JOBS_MODE = "external"
    page = desktop
    login(page, "liaison_a")
    page.goto(page.base + "/roster/")
    page.set_input_files("input[type=file]", str(_file(tmp_path, valid_id(), valid_id())))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.click("[data-testid=validate]")
    page.wait_for_selector("[role=progressbar]")
    assert page.inner_text("[data-testid=status]") == "校验中"
    job = RosterImport.objects.get().validate_job
    with served.lock:  # the worker's turn on the test database
        jobs.run_job(job.pk)
    page.wait_for_selector("[data-testid=counts]")
    assert page.inner_text("[data-count=new]") == "2"
    assert page.inner_text("[data-testid=status]") == "待导入"
