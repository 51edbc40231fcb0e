"""The user guide inside the app (使用帮助): ``help/用户指南.md`` beside this module, rendered once per
process with Python-Markdown. The text is the project's own, never user input."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import markdown
from django.utils.safestring import SafeString, mark_safe

GUIDE = Path(__file__).resolve().parent / "help" / "用户指南.md"


def _sections(tokens: list[dict]) -> list[dict]:
    out = []
    for token in tokens:
        if token["level"] == 2:
            out.append({"id": token["id"], "name": token["name"]})
        out += _sections(token["children"])
    return out


@lru_cache(maxsize=1)
def guide() -> tuple[SafeString, list[dict]]:
    """The guide as HTML, and its sections (``[{"id", "name"}]``, the second-level headings) for a contents list."""
    md = markdown.Markdown(extensions=["tables", "toc"])
    html = md.convert(GUIDE.read_text(encoding="utf-8"))
    html = html.replace("<table>", '<table class="table table-sm table-bordered">')  # Bootstrap styles it by class
    # toc_tokens is set by the toc extension; the stubs do not know it.
    return mark_safe(html), _sections(md.toc_tokens)  # type: ignore[attr-defined]  # noqa: S308 — the project's own text
