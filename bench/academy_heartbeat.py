"""Heartbeat ingestion through the real server, against a bare Django JSON endpoint on the same server.

    .venv/bin/python bench/academy_heartbeat.py [--people 1000000] [--learners 10000] [--seconds 15]

Builds (once, kept between runs) a PostgreSQL database ``jp_academy_bench`` with ``--people`` people,
one progress row and one play session each (the 1M-row progress table), starts ``jingpei serve`` (gunicorn,
gthread workers x 4 threads, as many workers as shipped unless --workers) on loopback, and drives it with ``wrk``:

* baseline: ``GET /healthz`` — a bare Django JSON view behind the full middleware stack;
* figure: ``POST /academy/play/<token>/beat`` — every honesty check, a locked read, an update — spread
  over ``--learners`` learners, each beat with a rising sequence number and position.

Prints ``figure  baseline  ratio`` for requests per second and the p99 latency, against two baselines:
``GET /healthz`` with no wrk script (the issue's figure), and the same with wrk running the beat's own
client-side Lua (wrk shares the 2 cores).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
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
-- Each learner's browser sends back the state token of its previous answer, as the player page does.
-- wrk gives no connection identity, so tokens are kept per learner (the token's second field is the
-- person id, which is also the bench play token's) and saved to STATE_FILE between slices.
local learners = tonumber(os.getenv("LEARNERS"))
local first = tonumber(os.getenv("FIRST_ID"))
local nthreads = tonumber(os.getenv("THREADS"))
local csrf = os.getenv("CSRF")
local state_file = os.getenv("STATE_FILE")
local send_state = os.getenv("NO_STATE") == nil
-- A baseline run (BASELINE_PATH set) pays the same client-side Lua as a beat — builds the same beat
-- request and parses a beat-shaped answer — but sends a plain GET of BASELINE_PATH, so that both sides of
-- the ratio carry the load tool's cost on these same 2 cores and the ratio compares server work only.
local baseline_path = os.getenv("BASELINE_PATH")
local baseline_req = baseline_path and wrk.format("GET", baseline_path) or nil
local sample = '{"status": "credited", "credited": 5, "watched": 2005, "duration": 3600, "position": 3305.0, '
  .. '"lesson_completed": false, "course_completed": false, "check": null, "state": "1:'
  .. (os.getenv("FIRST_ID") or "1") .. ':1:1:3600:video:0.90:2005:3305.0:1795440987933602:3305.0:'
  .. '1795440988126:0:2111055561604534:1795440987527554:0-20050,33000-33050:AbCdEfGhIjKlMnOpQrStUv", "path": "fast"}'
local sink = {}
local count = 0
local t0 = 0
local n = 0
local threads = {}
tokens = {}
fast = 0
slow = 0
function setup(thread)
  thread:set("tid", n)
  n = n + 1
  table.insert(threads, thread)
end
function init(args)
  t0 = os.time()
  local f = io.open(state_file, "r")
  if f then
    for line in f:lines() do
      local id, token = line:match("^(%d+) (%S+)$")
      if id and (tonumber(id) - first) % nthreads == tid then tokens[tonumber(id)] = token end
    end
    f:close()
  end
end
function request()
  count = count + 1
  local per = math.floor(learners / nthreads)
  local id = first + tid + nthreads * (count % per)
  -- beyond the prefilled watched ranges (at most 3,000 s), so honest beats credit new seconds
  local position = 3300 + (os.time() - t0) % 290
  -- sequence numbers rise across runs too: seconds since 2026 x 1e6 + this thread's count
  local seq = (os.time() - 1767225600) * 1000000 + count
  local state = (send_state and tokens[id]) and (',"state":"' .. tokens[id] .. '"') or ""
  local body = string.format('{"seq":%.0f,"position":%d,"visible":true,"playing":true,"rate":1%s}', seq, position, state)
  local req = wrk.format("POST", "/academy/play/bench-" .. id .. "/beat", {
    ["Content-Type"] = "application/json",
    ["X-CSRFToken"] = csrf,
    ["Cookie"] = "sessionid=cookie-" .. id .. "; csrftoken=" .. csrf,
  }, body)
  return baseline_req or req
end
function response(status, headers, body)
  if status ~= 200 then return end
  if baseline_req then  -- the same parsing, on a beat-shaped answer; nothing is counted
    local token = sample:match('"state": ?"([^"]+)"')
    if token then sink[tonumber(token:match("^%d+:(%d+):"))] = token end
    if sample:find('"path": ?"fast"') then sink[0] = 1 else sink[0] = 0 end
    return
  end
  local token = body:match('"state": ?"([^"]+)"')
  if token then tokens[tonumber(token:match("^%d+:(%d+):"))] = token end
  if body:find('"path": ?"fast"') then fast = fast + 1 else slow = slow + 1 end
end
function done(summary, latency, requests)
  local f, s = 0, 0
  if baseline_req then return end
  local out = io.open(state_file, "w")
  for _, thread in ipairs(threads) do
    f = f + thread:get("fast")
    s = s + thread:get("slow")
    for id, token in pairs(thread:get("tokens")) do out:write(id, " ", token, "\n") end
  end
  out:close()
  io.write(string.format("paths: fast %d slow %d\n", f, s))
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
    org = Organization.objects.filter(name="压测区").first() or Organization.objects.add_root({"name": "压测区", "kind": "district"})
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


def wrk(url: str, seconds: int, connections: int, threads: int, script: str | None,
        env: dict) -> tuple[float, float, int, int, int]:
    """requests/s, p99 (ms), non-2xx responses, and beats that took the fast and the slow path."""
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
    paths = re.search(r"paths: fast (\d+) slow (\d+)", out)
    fast, slow = (int(paths.group(1)), int(paths.group(2))) if paths else (0, 0)
    return rps, p99, int(bad.group(1)) if bad else 0, fast, slow


def ensure_wrk() -> None:
    """The load tool is Debian's wrk: install it when we may (root with apt-get), else say how."""
    if shutil.which("wrk"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not shutil.which("wrk"):
        sys.exit("this benchmark needs the load tool wrk: apt-get install wrk")


def main() -> None:
    ensure_wrk()
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--learners", type=int, default=2_000,
                        help="distinct learners beating during the run (each beats every learners/rps seconds)")
    parser.add_argument("--seconds", type=int, default=30, help="per side, in 5 s alternating slices")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=18606)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: as shipped)")
    parser.add_argument("--db", default="jp_academy_bench")
    parser.add_argument("--slow-too", action="store_true",
                        help="also measure the same beats without the state token (every beat reads the row)")
    args = parser.parse_args()

    url = database(args.db)
    env = {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "jingpei.settings", "JOBS_MODE": "external",
           "DEBUG": "0", "LOG_LEVEL": "ERROR"}
    os.environ.update(env)
    import django

    django.setup()
    first = build(args.people)
    learners = min(args.learners, args.people // 2)
    beating = learners * (2 if args.slow_too else 1)

    from django.db import connection

    from jingpei.academy.models import Progress

    # Every run starts from learners who have not beaten for a day, with the watched ranges they were built
    # with (below 3,000 s), so that the run's beats (3,300 s on) credit new seconds and write their ranges.
    with connection.cursor() as cur:
        cur.execute("UPDATE academy_progress SET last_seq = 0, anchor_at = now() - interval '1 day', anchor_pos = NULL, "
                    "intervals = '0-' || (person_id %% 30000), watched_seconds = (person_id %% 30000) / 10, "
                    "completed_at = NULL WHERE person_id >= %s AND person_id < %s", [first, first + 2 * learners])
    connection.close()
    base = f"http://127.0.0.1:{args.port}"
    try:  # another server on the port would be measured instead of this code
        urllib.request.urlopen(base + "/healthz", timeout=1).read()  # noqa: S310 - loopback
        raise SystemExit(f"port {args.port} is already served: stop that server first")
    except OSError:
        pass
    workers = ["--workers", str(args.workers)] if args.workers else []
    server = subprocess.Popen([str(ROOT / ".venv/bin/jingpei"), "serve", "--port", str(args.port), *workers],
                              cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(base + "/healthz")
        if server.poll() is not None:
            raise SystemExit(f"jingpei serve exited (port {args.port} taken?)")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(LUA)
        state_file = Path(fh.name).with_suffix(".tokens")
        state_file.unlink(missing_ok=True)  # tokens from an earlier run are stale (rows were reset above)
        lua_env = {"LEARNERS": str(learners), "FIRST_ID": str(first), "THREADS": str(args.threads), "CSRF": CSRF,
                   "STATE_FILE": str(state_file)}
        # The same beats without sending the token back: every beat reads the row (the slow path). Other
        # learners (the next ``learners`` people), so that neither side's beats void the other's tokens.
        slow_env = {**lua_env, "STATE_FILE": str(state_file) + ".unused", "NO_STATE": "1",
                    "FIRST_ID": str(first + learners)}
        # Baselines: /healthz (full middleware stack) without any script, as before; the same with the beat's
        # client-side Lua.
        base_env = {**lua_env, "STATE_FILE": str(state_file) + ".unused", "BASELINE_PATH": "/healthz"}
        run = {
            "baseline": lambda secs: wrk(base + "/healthz", secs, args.connections, args.threads, None, {}),
            "healthz+lua": lambda secs: wrk(base + "/", secs, args.connections, args.threads, fh.name, base_env),
            "heartbeat": lambda secs: wrk(base + "/", secs, args.connections, args.threads, fh.name, lua_env),
            "no token": lambda secs: wrk(base + "/", secs, args.connections, args.threads, fh.name, slow_env),
        }
        baselines = ["baseline", "healthz+lua"]
        sides = [*baselines, "heartbeat"] + (["no token"] if args.slow_too else [])
        for side in sides:  # warm up every path; the learners get their first tokens
            run[side](3)
        watched_before = sum(Progress.objects.filter(person_id__gte=first, person_id__lt=first + beating)
                             .values_list("watched_seconds", flat=True))
        started, load_before = time.monotonic(), os.getloadavg()[0]
        # Alternate short slices of every side, so that a change in the machine's load hits them alike;
        # report the median slice of each.
        slices = max(1, args.seconds // 5)
        runs: dict[str, list] = {side: [] for side in sides}
        for _ in range(slices):
            for side in sides:
                runs[side].append(run[side](args.seconds // slices))
        wall = time.monotonic() - started
        watched_after = sum(Progress.objects.filter(person_id__gte=first, person_id__lt=first + beating)
                            .values_list("watched_seconds", flat=True))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    med = {side: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs)) for side, rs in runs.items()}
    print(f"scale: {args.people:,} people / progress rows / play sessions; {learners:,} learners beating; "
          f"wrk -t{args.threads} -c{args.connections}, {slices} alternating slices of {args.seconds // slices} s "
          f"on loopback (medians); gunicorn {args.workers or 'as shipped'} workers x 4 threads; "
          f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print("non-2xx: " + ", ".join(f"{side} {sum(r[2] for r in rs)}" for side, rs in runs.items()))
    for side in sides[len(baselines):]:
        fast, slow = sum(r[3] for r in runs[side]), sum(r[4] for r in runs[side])
        print(f"{side}: {fast:,} beats on the fast path (state token), {slow:,} on the slow path (read + write)")
    print(f"credited during the run: {watched_after - watched_before:,} s over {beating:,} learners "
          f"(≤ {beating:,} x {wall:.0f} s x 1.25 wall clock)")
    names = {"baseline": "GET /healthz, full stack, wrk without a script (the issue's baseline)",
             "healthz+lua": "GET /healthz, full stack, wrk running the beat's client Lua"}
    for name in baselines:
        print(f"baseline {name}: {names[name]}")
    print(f"{'':42}{'figure':>10}{'baseline':>10}{'ratio':>8}")
    for side in sides[len(baselines):]:
        for name in baselines:
            (rps, p99), (base_rps, base_p99) = med[side], med[name]
            label = f"{side} vs {name}"
            print(f"{'rps ' + label:42}{rps:>10.0f}{base_rps:>10.0f}{rps / base_rps:>8.2f}")
            print(f"{'p99 ms ' + label:42}{p99:>10.1f}{base_p99:>10.1f}{p99 / base_p99:>8.2f}")

if __name__ == "__main__":
    main()
