"""The ``jingpei`` command: demo, serve, worker, and every Django management command.

jingpei demo            set up the database, build the demo district if empty, serve it
jingpei serve           serve with gunicorn (jobs run in-process unless JOBS_MODE=external)
jingpei worker          run background jobs (scale out: as many as you like, on PostgreSQL)
jingpei <command> ...   any manage.py command (migrate, createsuperuser, build_demo, ...)
"""

from __future__ import annotations

import argparse
import os
import sys


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")
    import django

    django.setup()


def static_sources_stamp() -> str:
    """A fingerprint (path, size, modification time) of every file the static finders serve from: the
    app's own assets and the npm packages'."""
    import hashlib

    from django.contrib.staticfiles.finders import get_finders

    files = sorted((path, storage.path(path)) for finder in get_finders()
                   for path, storage in finder.list(["CVS", ".*", "*~"]))  # collectstatic's default ignores
    digest = hashlib.sha256()
    for path, full in files:
        st = os.stat(full)
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _prepare() -> None:
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from jingpei.core import fieldkeys
    from jingpei.core.errors import DomainError

    try:
        current = fieldkeys.index_is_current()
    except DomainError as exc:
        sys.exit(f"jingpei: {exc.message}")
    if not current:
        sys.exit("jingpei: FIELD_ENCRYPTION_KEYS has a new first key, but the ID and phone search indexes are "
                 "still the old key's: nobody would be found by number. Run `jingpei rotate_field_keys` first.\n"
                 "字段加密密钥已更换，但身份证号/手机号的检索索引仍按旧密钥计算：请先运行 jingpei rotate_field_keys。")
    # Collected again whenever a source changed (an update brought a new icon or stylesheet): the
    # manifest storage answers 500 for a file it has not collected. Unchanged, the ~9 s are skipped.
    stamp, stamp_file = static_sources_stamp(), settings.STATIC_ROOT / ".sources"
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if not manifest.exists() or not stamp_file.exists() or stamp_file.read_text() != stamp:
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp_file.write_text(stamp)


def serve(host: str, port: int, workers: int) -> None:
    from django.conf import settings

    os.environ["JINGPEI_EMBEDDED_WORKER"] = "1" if settings.JOBS_MODE == "embedded" else "0"
    args = [
        "gunicorn",
        "jingpei.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
    ]
    if settings.DEBUG:
        # Without DEBUG, no access log at all (the proxy keeps one): gunicorn formats the line of every
        # request for any access-logfile, /dev/null included (about 0.05 ms of a worker's CPU per request).
        args += ["--access-logfile", "-"]
    args += [
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in {"demo", "serve", "worker"}:
        parser = argparse.ArgumentParser(prog="jingpei")
        parser.add_argument("command")
        parser.add_argument("--host", default=os.environ.get("JINGPEI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-serve", action="store_true", help="demo: build only, do not serve")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="PEOPLE",
            help="demo: also build a large synthetic city of PEOPLE people and PEOPLE/10 organisations "
            "(up to 1,000,000 / 100,000; use PostgreSQL beyond ~100k)",
        )
        args = parser.parse_args(argv)
        _django()
        if args.command == "worker":
            from jingpei.core.jobs import worker_loop

            print("jingpei worker: waiting for jobs (Ctrl+C to stop)")
            worker_loop()
            return
        _prepare()
        if args.command == "demo":
            from django.core.management import call_command

            call_command("build_demo", if_empty=True)
            if args.scale:
                call_command("build_scale", people=args.scale, orgs=max(100, args.scale // 10))
            from jingpei.demo.builder import DEMO_PASSWORD

            print()
            print(f"精培演示系统 / Jingpei demo:  http://{args.host}:{args.port}/")
            print(
                "登录 / log in: officer, liaison_laowo, liaison_wanjin, secretary, head, lecturer, trainee,"
            )
            print(
                f"              approver (approver2, approver3), auditor, sysadmin, secadmin, auditadmin — 密码 / password: {DEMO_PASSWORD}"
            )
            print()
            if args.no_serve:
                return
        serve(args.host, args.port, args.workers)
        return
    from django.core.management import execute_from_command_line

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingpei.settings")
    execute_from_command_line(["jingpei", *argv])


if __name__ == "__main__":
    main()
