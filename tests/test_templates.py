"""Every template's title block is plain text: the browser shows <title> as is, so markup there (an
unclosed block swallowing a table) would read as HTML source in the tab."""

from __future__ import annotations

import re
from pathlib import Path

import jingpei

TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock", re.S)


def test_title_blocks_hold_no_markup():
    templates = list(Path(jingpei.__file__).parent.rglob("templates/**/*.html"))
    titles = {str(t): m.group(1) for t in templates for m in TITLE.finditer(t.read_text(encoding="utf-8"))}
    assert len(titles) > 30  # the walk found the pages' templates
    assert {t: title for t, title in titles.items() if "<" in title or "\n" in title} == {}
