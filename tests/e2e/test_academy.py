"""The academy in Chromium: a real demo video plays until the course is credited, and "my study" shows
it; a scripted cheater (slider dragged, doubled speed, hidden tab, forged beats) earns no more than honest
time."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.files import File

from jingpei.academy import beat_wsgi, demo, services
from jingpei.academy.models import Progress
from jingpei.ledger.models import LedgerEntry
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_beats(settings):
    settings.ACADEMY_HEARTBEAT_SECONDS = 1  # 15 s in production; 1 s keeps the test short


@pytest.fixture(autouse=True)
def route_beats(served, monkeypatch):
    """Serve as ``jingpei serve`` does: ordinary beats through the fast WSGI route (academy.beat_wsgi) in front
    of Django (inside the test server's one-at-a-time lock on SQLite). Yields the beats the route answered."""
    django_app = served.app
    answered = []
    answer = beat_wsgi._answer
    monkeypatch.setattr(beat_wsgi, "_answer", lambda *args: answered.append(args[0]) or answer(*args))
    served.app = beat_wsgi.fast_route(django_app)
    yield answered
    served.app = django_app


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return {"short": demo.make_video(folder / "short.mp4", 5), "long": demo.make_video(folder / "long.mp4", 40)}


def video_course(cast, clip, title, hours="1.0"):
    course = services.create_course(actor=None, org=cast.district, title=title, year=2026,
                                    credit_hours=Decimal(hours), kind="mandatory")
    with clip.open("rb") as fh:
        return services.add_lesson(actor=None, course=course, title=f"{title}（视频）", kind="video",
                                   upload=File(fh, name=clip.name))


def test_watching_a_demo_video_earns_credit_on_my_study(cast, desktop, clips, fast_beats, route_beats):
    lesson = video_course(cast, clips["short"], "乡村振兴战略专题解读", hours="1.0")
    page = desktop
    login(page, "trainee")
    page.goto(page.base + "/academy/my/")
    assert page.get_by_test_id("watched-seconds-total").inner_text() == "0"
    month_before = page.get_by_test_id("month-hours").inner_text()
    beats = []  # the player's heartbeat answers, to see that it sends each answer's state token back
    page.on("response", lambda r: beats.append(r) if r.url.endswith("/beat") and r.status == 200 else None)
    page.goto(page.base + f"/academy/lessons/{lesson.pk}/")
    page.wait_for_selector("[data-testid=academy-status][data-status=ready]")
    page.click("#academy-play")
    page.wait_for_function("document.getElementById('academy-video').currentTime > 1", timeout=10000)
    shot(page, "academy-player-desktop")
    done = "text=课程已完成，学时已记入学时档案"
    for _ in range(3):  # on a loaded machine a beat may be refused as late: re-watching earns what was missed
        page.wait_for_function("document.getElementById('academy-video').ended", timeout=25000)
        page.wait_for_timeout(1500)  # the beat sent on "ended" has been answered
        if page.locator(done).count():
            break
        page.click("#academy-play")
        page.wait_for_function("!document.getElementById('academy-video').ended")
    page.wait_for_selector(done, timeout=5000)
    watched = int(page.get_by_test_id("watched-seconds").inner_text())
    assert 4 <= watched <= 5
    paths = [r.json()["path"] for r in beats]  # before leaving the page, which drops the bodies
    assert paths[0] == "slow" and paths.count("fast") >= len(paths) // 2, paths
    assert len(route_beats) >= len(beats)  # every beat came through the fast route
    page.goto(page.base + "/academy/my/")
    shot(page, "academy-my-study-desktop")
    assert int(page.get_by_test_id("watched-seconds-total").inner_text()) == watched
    assert Decimal(page.get_by_test_id("month-hours").inner_text()) == Decimal(month_before) + Decimal("1.0")
    assert page.get_by_test_id("completed-course").count() == 1
    assert LedgerEntry.objects.get().hours == Decimal("1.0")


CHEAT = """
async (beatUrl) => {
  const csrf = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
  const send = (b) => fetch(beatUrl, {method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}, body: JSON.stringify(b)});
  let seq = 1000;
  // forged beats: every 200 ms claim 2 s more of video, visible and at 1x
  for (let i = 1; i <= 15; i++) {
    await send({seq: ++seq, position: 2 * i, visible: true, playing: true, rate: 1});
    await new Promise(r => setTimeout(r, 200));
  }
  await send({seq: ++seq, position: 39, visible: true, playing: true, rate: 1});   // slider to the end
  await send({seq: ++seq, position: 39.5, visible: false, playing: true, rate: 1}); // hidden tab
  await send({seq: 5, position: 40, visible: true, playing: true, rate: 1});        // replayed old beat
}
"""


def test_scripted_cheater_earns_no_more_than_honest_time(cast, phone, clips, fast_beats, route_beats):
    lesson = video_course(cast, clips["long"], "扶贫产业发展实务")
    page = phone
    login(page, "trainee")
    page.goto(page.base + f"/academy/lessons/{lesson.pk}/")
    page.wait_for_selector("[data-testid=academy-status][data-status=ready]")
    began = time.monotonic()
    # Doubled speed through the real player: every beat reports rate 2 and earns nothing.
    page.evaluate("() => { const v = document.getElementById('academy-video'); v.muted = true; v.playbackRate = 2; }")
    page.click("#academy-play")
    page.wait_for_function("document.getElementById('academy-video').currentTime > 6", timeout=10000)
    assert Progress.objects.get().watched_seconds == 0
    # The slider dragged forward, then forged beats from a script.
    page.evaluate("() => { const v = document.getElementById('academy-video'); v.pause(); v.playbackRate = 1; v.currentTime = 30; }")
    token_url = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name).find(n => n.endsWith('/beat'))")
    page.evaluate(CHEAT, token_url)
    elapsed = time.monotonic() - began
    shot(page, "academy-player-phone")
    progress = Progress.objects.get()
    # The forged beats may look like playback at the cap for a few seconds: never more than wall clock x 1.25.
    assert progress.watched_seconds <= elapsed * 1.25
    assert progress.watched_seconds < 10
    assert not LedgerEntry.objects.exists()
    assert len(route_beats) >= 18  # the forged beats too came through the fast route
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_department_sees_coverage_and_exports(cast, desktop, phone):
    from tests.academy.helpers import make_course

    course = make_course(cast.district, "壮大村集体经济的路径", kind="elective", recommended=True)
    services.start_lesson(person=cast.person_a, lesson=course.lessons.get(), session_cookie="c")
    login(desktop, "officer")
    desktop.goto(desktop.base + "/academy/coverage/")
    assert desktop.get_by_test_id("coverage-row").count() == 3  # 召陵区, 老窝镇, 万金镇
    assert "壮大村集体经济的路径" in desktop.get_by_test_id("course-row").first.inner_text()
    desktop.click("text=导出 Excel")
    with desktop.expect_download() as download:
        desktop.click("text=下载 Excel")
    assert download.value.suggested_filename == "academy-coverage.xlsx"
    desktop.goto(desktop.base + "/academy/coverage/")
    desktop.click("text=未开始学习名单")
    names = desktop.get_by_test_id("not-started-row").all_inner_texts()
    assert any("李芳" in n for n in names) and not any("王小明" in n for n in names)
    shot(desktop, "academy-coverage-desktop")
    login(phone, "liaison_b")
    phone.goto(phone.base + "/academy/coverage/")
    text = phone.inner_text("main")
    assert "万金镇" in text and "老窝镇" not in text and "王小明" not in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "academy-coverage-phone")
    phone.goto(phone.base + "/academy/?recommended=1")
    assert "壮大村集体经济的路径" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "academy-catalog-phone")
