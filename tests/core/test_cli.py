"""The ``jingpei`` command's defaults."""

import pytest

from jingpei import cli


@pytest.mark.parametrize(("environment", "workers"), [(None, 2), ("3", 3)])
def test_serve_runs_two_workers_unless_web_workers_says_otherwise(monkeypatch, environment, workers):
    if environment is None:
        monkeypatch.delenv("WEB_WORKERS", raising=False)
    else:
        monkeypatch.setenv("WEB_WORKERS", environment)
    served = {}
    monkeypatch.setattr(cli, "_django", lambda: None)
    monkeypatch.setattr(cli, "_prepare", lambda: None)
    monkeypatch.setattr(cli, "serve", lambda host, port, workers: served.update(workers=workers))
    cli.main(["serve", "--port", "8123"])
    assert served == {"workers": workers}


def test_static_files_are_collected_again_when_a_source_changes(monkeypatch, settings, tmp_path):
    """After an update brought a new or changed asset, serving must not answer 500 for it (the manifest
    storage knows only what was collected); unchanged sources skip the ~9 s collection."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "icon.svg").write_text("<svg/>")
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STATICFILES_DIRS = [("t", source)]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    calls = []

    def call_command(name, **options):
        calls.append(name)
        if name == "collectstatic":
            (settings.STATIC_ROOT / "staticfiles.json").write_text("{}")

    monkeypatch.setattr("django.core.management.call_command", call_command)
    monkeypatch.setattr("jingpei.core.fieldkeys.index_is_current", lambda: True)  # no database here
    cli._prepare()
    assert calls == ["migrate", "collectstatic"]
    cli._prepare()
    assert calls == ["migrate", "collectstatic", "migrate"]  # nothing changed: not collected again
    (source / "app.css").write_text("body {}")  # an update brings a new file
    cli._prepare()
    assert calls[-1] == "collectstatic"
    (source / "icon.svg").write_text("<svg></svg>")  # and changes one
    cli._prepare()
    assert calls[-2:] == ["migrate", "collectstatic"]
    (settings.STATIC_ROOT / "staticfiles.json").unlink()  # the collected files were removed
    cli._prepare()
    assert calls[-1] == "collectstatic"
