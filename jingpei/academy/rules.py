"""The knobs of honest watching, from settings with defaults (settings.py stays shared; tests override)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_current: list = []  # the rules built from settings, once per process (reset when a test changes settings)


@dataclass(frozen=True)
class WatchRules:
    heartbeat_seconds: float  # the client beats this often while playing
    max_rate: float  # fastest playback that still credits (1.25x)
    slack_seconds: float  # network jitter allowed before an advance counts as a seek
    late_seconds: float  # a beat later than this after the previous one credits nothing
    presence_min_seconds: int  # a presence check falls due at a random time in [min, max] …
    presence_max_seconds: int
    presence_grace_seconds: int  # … and stops credit if unanswered this long after
    idle_seconds: int  # documents credit only with a scroll or touch this recent
    state_token_seconds: int  # a beat's state token saves the read for this long after the row was read

    @classmethod
    def current(cls) -> WatchRules:
        # Every heartbeat asks: nine settings lookups, most of them absent (an exception each), cost more
        # than the rules themselves.
        if not _current:
            _current.append(cls._from_settings())
        return _current[0]

    @classmethod
    def _from_settings(cls) -> WatchRules:
        beat = float(getattr(settings, "ACADEMY_HEARTBEAT_SECONDS", 15))
        return cls(
            heartbeat_seconds=beat,
            max_rate=float(getattr(settings, "ACADEMY_MAX_RATE", 1.25)),
            slack_seconds=float(getattr(settings, "ACADEMY_SLACK_SECONDS", 2)),
            late_seconds=float(getattr(settings, "ACADEMY_LATE_SECONDS", 2 * beat + 5)),
            presence_min_seconds=int(getattr(settings, "ACADEMY_PRESENCE_MIN_SECONDS", 300)),
            presence_max_seconds=int(getattr(settings, "ACADEMY_PRESENCE_MAX_SECONDS", 900)),
            presence_grace_seconds=int(getattr(settings, "ACADEMY_PRESENCE_GRACE_SECONDS", 60)),
            idle_seconds=int(getattr(settings, "ACADEMY_IDLE_SECONDS", 60)),
            state_token_seconds=int(getattr(settings, "ACADEMY_STATE_TOKEN_SECONDS", 300)),
        )


@receiver(setting_changed)
def _settings_changed(*, setting, **kwargs):
    if setting.startswith("ACADEMY_"):
        _current.clear()
