"""Data for the pages' charts (ECharts, drawn by ``jingpei/charts.js``)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def stacked_months(months: list[dict], choices) -> dict:
    """A bar per month stacked by form: ``months`` as ``[{"month": 1, "forms": {form: hours}}, …]``, ``choices``
    the forms' (value, label) pairs in the order to stack; forms with no hours that year are left out."""
    return {
        "kind": "stacked-months",
        "months": [_("%(m)s月") % {"m": m["month"]} for m in months],
        "series": [{"name": str(label), "type": "bar", "stack": "h",
                    "data": [float(m["forms"].get(value, 0)) for m in months]}
                   for value, label in choices if any(value in m["forms"] for m in months)],
    }
