"""The user guide inside the app (使用帮助): ``help/用户指南.md`` beside this module, or its English
version ``help/user-guide.en.md`` when the interface is in English; each rendered once per process with
Python-Markdown. The text is the project's own, never user input. The two keep the same sections
(``tests/core/test_help.py``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import markdown
from django.utils.safestring import SafeString, mark_safe

GUIDE = Path(__file__).resolve().parent / "help" / "用户指南.md"
GUIDES = {"en": GUIDE.with_name("user-guide.en.md")}  # by language; any other language reads the Chinese


def _sections(tokens: list[dict]) -> list[dict]:
    out = []
    for token in tokens:
        if token["level"] == 2:
            out.append({"id": token["id"], "name": token["name"]})
        out += _sections(token["children"])
    return out


def guide(language: str | None = None) -> tuple[SafeString, list[dict]]:
    """The guide as HTML, and its sections (``[{"id", "name"}]``, the second-level headings) for a contents
    list, in ``language`` (a language code such as ``en`` or ``zh-hans``) where there is a version for it."""
    return _rendered(GUIDES.get((language or "").split("-")[0], GUIDE))


@lru_cache(maxsize=4)
def _rendered(path: Path) -> tuple[SafeString, list[dict]]:
    md = markdown.Markdown(extensions=["tables", "toc"])
    html = md.convert(path.read_text(encoding="utf-8"))
    html = html.replace("<table>", '<table class="table table-sm table-bordered">')  # Bootstrap styles it by class
    # toc_tokens is set by the toc extension; the stubs do not know it.
    return mark_safe(html), _sections(md.toc_tokens)  # type: ignore[attr-defined]  # noqa: S308 — the project's own text
