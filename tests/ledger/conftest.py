from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jingpei.ledger import presets
from jingpei.orgs.models import Person


@pytest.fixture
def settled(cast):
    """The cast's people have been on the roster for years (no proration by join date)."""
    Person.objects.update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    for person in (cast.person_a, cast.person_a2, cast.person_b):
        person.refresh_from_db()
    return cast


@pytest.fixture(autouse=True)
def _presets(request):
    """The preset rules, also after a transactional test has flushed the tables (PostgreSQL runs)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "cast" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db" if marker and marker.kwargs.get("transaction") else "db")
    presets.install()
