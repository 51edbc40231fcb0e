"""The collector's first threshold comes from settings (GC_GEN0_THRESHOLD), keeping the older ratios."""

import gc

import pytest
from django.conf import settings

from jingpei.core.apps import apply_gc_threshold


@pytest.fixture
def restore_threshold():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_app_runs_with_the_configured_threshold():
    assert settings.GC_GEN0_THRESHOLD == 5000
    assert gc.get_threshold()[0] == settings.GC_GEN0_THRESHOLD


def test_a_threshold_keeps_the_older_generations_ratios(restore_threshold):
    gc.set_threshold(700, 11, 12)
    apply_gc_threshold(9000)
    assert gc.get_threshold() == (9000, 11, 12)


def test_zero_leaves_the_interpreter_alone(restore_threshold):
    gc.set_threshold(700, 10, 10)
    apply_gc_threshold(0)
    assert gc.get_threshold() == (700, 10, 10)
