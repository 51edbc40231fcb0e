"""Heartbeat ingestion through the real server, against a bare Django JSON endpoint on the same server.

    .venv/bin/python bench/academy_heartbeat.py [--people 1000000] [--learners 10000] [--seconds 15]

Builds (once, kept between runs) a PostgreSQL database ``jp_academy_bench`` with ``--people`` people,
one progress row and one play session each (the 1M-row progress table), starts ``jingpei serve`` (gunicorn,
2 gthread workers x 4 threads, as shipped) on loopback, and drives it with ``wrk``:

* baseline: ``GET /healthz`` — a bare Django JSON view behind the full middleware stack;
* figure: ``POST /academy/play/<token>/beat`` — every honesty check, a locked read, an update — spread
  over ``--learners`` learners, each beat with a rising sequence number and position.

Prints ``figure  baseline  ratio`` for requests per second and the p99 latency.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CSRF = "benchcsrftoken0123456789abcdefgh"  # 32 chars: a valid unmasked CSRF secret

LUA = r"""
local learners = tonumber(os.getenv("LEARNERS"))
local first = tonumber(os.getenv("FIRST_ID"))
local nthreads = tonumber(os.getenv("THREADS"))
local csrf = os.getenv("CSRF")
local count = 0
local t0 = 0
local n = 0
function setup(thread)
  thread:set("tid", n)
  n = n + 1
end
function init(args)
  t0 = os.time()
end
function request()
  count = count + 1
  local per = math.floor(learners / nthreads)
  local id = first + tid + nthreads * (count % per)
  -- beyond the prefilled watched ranges (at most 3,000 s), so honest beats credit new seconds
  local position = 3300 + (os.time() - t0) % 290
  -- sequence numbers rise across runs too: seconds since 2026 x 1e6 + this thread's count
  local seq = (os.time() - 1767225600) * 1000000 + count
  local body = string.format('{"seq":%.0f,"position":%d,"visible":true,"playing":true,"rate":1}', seq, position)
  return wrk.format("POST", "/academy/play/bench-" .. id .. "/beat", {
    ["Content-Type"] = "application/json",
    ["X-CSRFToken"] = csrf,
    ["Cookie"] = "sessionid=cookie-" .. id .. "; csrftoken=" .. csrf,
  }, body)
end
"""


def database(name: str) -> str:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def build(people: int) -> int:
    """The scale, in SQL (generate_series): people, a 1-hour course, a progress row and a play session
    each. Returns the first person id."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection

    from jingpei.academy import services
    from jingpei.academy.models import Lesson, LessonKind
    from jingpei.orgs.models import Organization, Person

    call_command("migrate", interactive=False, verbosity=0)
    have = Person.objects.filter(name__startswith="压测").count()
    if have >= people:
        return Person.objects.filter(name__startswith="压测").order_by("id").values_list("id", flat=True).first()
    t = time.monotonic()
    org = Organization.objects.filter(name="压测区").first() or Organization.add_root(name="压测区", kind="district")
    course = services.create_course(actor=None, org=org, title="压测课程", year=2026, credit_hours=Decimal("1.0"))
    lesson = Lesson.objects.create(course=course, order=1, title="压测课节", kind=LessonKind.VIDEO,
                                   content_type="video/mp4", duration_seconds=3600)
    with connection.cursor() as cur:
        cur.execute("""
            INSERT INTO orgs_person (name, gender, ethnicity, birth_date, id_cipher, id_hash, id_masked, phone_cipher,
                phone_hash, phone_masked, political_status, position, rank_level, primary_org_id, pinyin, initials,
                created_at, updated_at)
            SELECT '压测' || i, 'M', '汉族', DATE '1980-01-01', 'x', md5('bench-' || i), '4111**********' || i %% 10000,
                '', '', '', 'masses', '', '', %s, 'yace' || i, 'yc', now(), now()
            FROM generate_series(1, %s) AS i""", [org.pk, people])
        cur.execute("""
            INSERT INTO orgs_membership (person_id, org_id, is_primary, title, created_at)
            SELECT id, %s, true, '', now() FROM orgs_person WHERE name LIKE '压测%%'""", [org.pk])
        cur.execute("""
            INSERT INTO academy_enrollment (person_id, course_id, started_at)
            SELECT id, %s, now() FROM orgs_person WHERE name LIKE '压测%%'""", [course.pk])
        cur.execute("""
            INSERT INTO academy_progress (person_id, lesson_id, intervals, watched_seconds, position, anchor_at,
                last_seq, started_at, updated_at)
            SELECT id, %s, '0-' || (id %% 30000), (id %% 30000) / 10, (id %% 3000), now() - interval '1 day', 0, now(), now()
            FROM orgs_person WHERE name LIKE '压测%%'""", [lesson.pk])
        cur.execute("""
            INSERT INTO academy_playsession (person_id, progress_id, token, cookie_hash, started_at, check_due_at, check_code)
            SELECT p.person_id, p.id, 'bench-' || p.person_id,
                   encode(sha256(convert_to('academy-play:cookie-' || p.person_id, 'UTF8')), 'hex'),
                   now(), now() + interval '10 years', '0000'
            FROM academy_progress p WHERE p.lesson_id = %s""", [lesson.pk])
        cur.execute("ANALYZE")
    print(f"built {people:,} people, progress rows and play sessions in {time.monotonic() - t:.0f} s")
    return Person.objects.filter(name__startswith="压测").order_by("id").values_list("id", flat=True).first()


def wait_for(url: str, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()  # noqa: S310 - loopback
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer at {url}")


def wrk(url: str, seconds: int, connections: int, threads: int, script: str | None, env: dict) -> tuple[float, float, int]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, env={**os.environ, **env}, check=True).stdout
    for line in out.splitlines():
        if line.startswith("non-200:"):
            print(line[:300])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--learners", type=int, default=2_000,
                        help="distinct learners beating during the run (each beats every learners/rps seconds)")
    parser.add_argument("--seconds", type=int, default=30, help="per side, in 5 s alternating slices")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=18606)
    parser.add_argument("--db", default="jp_academy_bench")
    args = parser.parse_args()

    url = database(args.db)
    env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "jingpei.settings", "JOBS_MODE": "external",
           "DEBUG": "0", "LOG_LEVEL": "ERROR"}
    os.environ.update(env)
    import django

    django.setup()
    first = build(args.people)
    learners = min(args.learners, args.people)

    from django.db import connection

    from jingpei.academy.models import Progress

    with connection.cursor() as cur:  # every run starts from learners who have not beaten for a day
        cur.execute("UPDATE academy_progress SET last_seq = 0, anchor_at = now() - interval '1 day', anchor_pos = NULL "
                    "WHERE person_id >= %s AND person_id < %s", [first, first + learners])
    connection.close()
    server = subprocess.Popen([str(ROOT / ".venv/bin/jingpei"), "serve", "--port", str(args.port), "--workers", "2"],
                              cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(base + "/healthz")
        if server.poll() is not None:
            raise SystemExit(f"jingpei serve exited (port {args.port} taken?)")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(LUA)
        lua_env = {"LEARNERS": str(learners), "FIRST_ID": str(first), "THREADS": str(args.threads), "CSRF": CSRF}
        wrk(base + "/healthz", 3, args.connections, args.threads, None, {})  # warm up both paths
        wrk(base + "/", 3, args.connections, args.threads, fh.name, lua_env)
        before = Progress.objects.filter(person_id__gte=first, person_id__lt=first + learners).values_list(
            "watched_seconds", flat=True)
        watched_before = sum(before)
        started = time.monotonic()
        # Alternate short slices of both, so that a change in the machine's load hits both sides alike;
        # report the median slice of each.
        slices = max(1, args.seconds // 5)
        base_runs, beat_runs = [], []
        for _ in range(slices):
            base_runs.append(wrk(base + "/healthz", args.seconds // slices, args.connections, args.threads, None, {}))
            beat_runs.append(wrk(base + "/", args.seconds // slices, args.connections, args.threads, fh.name, lua_env))
        base_rps, base_p99 = statistics.median(r[0] for r in base_runs), statistics.median(r[1] for r in base_runs)
        beat_rps, beat_p99 = statistics.median(r[0] for r in beat_runs), statistics.median(r[1] for r in beat_runs)
        base_bad, beat_bad = sum(r[2] for r in base_runs), sum(r[2] for r in beat_runs)
        wall = time.monotonic() - started
        watched_after = sum(Progress.objects.filter(person_id__gte=first, person_id__lt=first + learners)
                            .values_list("watched_seconds", flat=True))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(f"scale: {args.people:,} people / progress rows / play sessions; {learners:,} learners beating; "
          f"wrk -t{args.threads} -c{args.connections}, {slices} alternating slices of {args.seconds // slices} s "
          f"on loopback (medians); gunicorn 2 workers x 4 threads; load average {os.getloadavg()[0]:.1f}")
    print(f"non-2xx: heartbeat {beat_bad}, baseline {base_bad}")
    print(f"credited during the run: {watched_after - watched_before:,} s over {learners:,} learners "
          f"(≤ {learners:,} x {wall:.0f} s x 1.25 wall clock)")
    print(f"{'':24}{'figure':>10}{'baseline':>10}{'ratio':>8}")
    print(f"{'requests/s':24}{beat_rps:>10.0f}{base_rps:>10.0f}{beat_rps / base_rps:>8.2f}")
    print(f"{'p99 latency (ms)':24}{beat_p99:>10.1f}{base_p99:>10.1f}{beat_p99 / base_p99:>8.2f}")


if __name__ == "__main__":
    main()
