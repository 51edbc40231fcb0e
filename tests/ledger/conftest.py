from __future__ import annotations

from datetime import UTC, datetime

import pytest

from jingpei.orgs.models import Person


@pytest.fixture
def settled(cast):
    """The cast's people have been on the roster for years (no proration by join date)."""
    Person.objects.update(created_at=datetime(2020, 1, 1, tzinfo=UTC))
    for person in (cast.person_a, cast.person_a2, cast.person_b):
        person.refresh_from_db()
    return cast
