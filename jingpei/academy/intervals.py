"""Watched parts of a lesson's timeline: sorted, disjoint integer ranges, stored as ``"0-150,300-615"``.

The unit is a tenth of a second (``UNITS`` a second). A heartbeat's segment is shrunk inward (start
rounded up, end rounded down), so rounding never credits time that was not played, and loses at most a
tenth of a second a heartbeat.
"""

from __future__ import annotations

import math

Ranges = list[tuple[int, int]]
UNITS = 10  # per second


def parse(text: str) -> Ranges:
    if not text:
        return []
    out: Ranges = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.append((int(a), int(b)))
    return out


def dump(ranges: Ranges) -> str:
    return ",".join(f"{a}-{b}" for a, b in ranges)


def total(ranges: Ranges) -> int:
    return sum(b - a for a, b in ranges)


def add(ranges: Ranges, start: float, end: float) -> tuple[Ranges, int]:
    """Merge ``[start, end)`` into ``ranges``; return the new ranges and how many seconds were new."""
    a, b = math.ceil(start), math.floor(end)
    if any(hi == math.floor(start) for _lo, hi in ranges):
        # Playback continuing from a credited range: the unit split between the two segments was
        # watched in full (the previous segment's part of it was left out when its end was rounded down).
        a = math.floor(start)
    if b <= a:
        return ranges, 0
    merged: Ranges = []
    new = b - a
    placed = False
    for lo, hi in ranges:
        if hi < a:
            merged.append((lo, hi))
        elif lo > b:
            if not placed:
                merged.append((a, b))
                placed = True
            merged.append((lo, hi))
        else:  # overlaps or touches: the overlap was watched before, so it is not new
            new -= max(0, min(hi, b) - max(lo, a))
            a, b = min(a, lo), max(b, hi)
    if not placed:
        merged.append((a, b))
    return merged, new
