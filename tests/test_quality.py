"""The project's own checks run with the suite, so CI runs exactly what a developer runs."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def _run(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_ruff_finds_nothing():
    result = _run("ruff", "check", "jingpei", "tests", "bench", "bootstrap.py")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the repository")
def test_mypy_finds_nothing():
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_templates_ask_before_acting_through_data_confirm_only():
    """A confirm() written into an onclick attribute breaks when a translation holds an apostrophe, and the
    button then acts unasked; app.js asks for every [data-confirm] button instead."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "jingpei"
    inline = [str(p.relative_to(root)) for p in root.rglob("*.html") if "confirm(" in p.read_text(encoding="utf-8")]
    assert inline == []
    assert "[data-confirm]" in (root / "core/static/jingpei/app.js").read_text(encoding="utf-8")
