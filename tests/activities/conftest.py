"""Helpers of the activities tests: a session logged through the service, a small image."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from jingpei.activities import services


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def log_session(cast, today):
    """``log_session(**overrides)``: secretary_a logs a session of 朱集村党支部 with both members."""

    def log(**kw):
        params = {"actor": cast.secretary_a, "branch": cast.branch_a, "held_on": today - timedelta(days=1),
                  "topic": "学习乡村振兴战略", "hours": "1.5", "courseware": "乡村振兴专题片",
                  "place": "村党群服务中心", "attendee_ids": [cast.person_a.pk, cast.person_a2.pk],
                  "guest_names": []}
        params.update(kw)
        return services.create_session(**params).session

    return log


def png_bytes(size=(8, 8)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
