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
