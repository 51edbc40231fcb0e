"""The home page's figures (本年概况): where the user's year stands, at a glance — the annual plans
against their targets, the share of people meeting each study-hour rule, the user's own hours.

Each app may have an ``overview.py`` with ``GAUGES``: functions ``(user) -> Iterable[Gauge]``, each a
few queries at most, reading only what the user may see and only figures already kept (the home page
never starts a subtree's evaluation or a job; the app's own page does that).
"""

from __future__ import annotations

from dataclasses import dataclass

from jingpei.core.appmodules import collected


@dataclass(frozen=True)
class Gauge:
    group: str  # the heading it is shown under: "年度培训计划", "学时达标 · 召陵区", "我的学时"
    label: str  # what is measured: a plan's title, a rule's name
    value: str  # the figure as read out: "441 / 2000 人次"
    url: str  # where the figure comes from
    percent: int | None = None  # 0–100 for a progress bar; None: no bar
    note: str = ""  # whose, when, how it stands: "2026年 · 未达标"
    tone: str = "primary"  # the bar's Bootstrap colour: success when met, warning when behind…
    order: int = 50  # lower first; equal keeps the apps' order


def gauges_for(user) -> list[Gauge]:
    """The user's figures, in groups (by ``order``, then the apps' order)."""
    return sorted((gauge for source in collected("overview", "GAUGES") for gauge in source(user)),
                  key=lambda g: g.order)
