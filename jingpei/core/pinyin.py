"""Pinyin search keys for Chinese names.

A name is stored with every reading of its characters (heteronyms, capped), so that ``zlq`` and ``slq``
both find 召陵区 and ``shan`` finds the surname 单. Keys are space-prefixed, so a prefix search on any
reading is one ``LIKE '% zl%'`` — no per-row work at query time.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from pypinyin import Style, pinyin


def _keep_as_letters(chars: str) -> str:
    """Non-Chinese characters stay, lowercased (pypinyin accepts a list here too; one string is enough)."""
    return chars.lower()


MAX_READINGS = 8
_ASCII_QUERY = re.compile(r"^[a-zA-Z]+$")


@lru_cache(maxsize=65536)
def _readings(text: str, style: Style) -> tuple[str, ...]:
    per_char = pinyin(text, style=style, heteronym=True, errors=_keep_as_letters)
    options = [sorted({p.lower() for p in choices if p}) or [""] for choices in per_char]
    combos = []
    for combo in itertools.islice(itertools.product(*options), MAX_READINGS):
        combos.append("".join(combo))
    # The library's preferred reading first, so it survives the cap.
    preferred = "".join(p[0].lower() for p in pinyin(text, style=style, errors=_keep_as_letters))
    ordered = [preferred] + [c for c in combos if c != preferred]
    return tuple(ordered[:MAX_READINGS])


def search_keys(text: str) -> tuple[str, str]:
    """Return (full-pinyin key, initials key) for ``text``, each like ``" zhaolingqu shaolingqu"``."""
    text = (text or "").strip()
    full = " " + " ".join(_readings(text, Style.NORMAL))
    initials = " " + " ".join(_readings(text, Style.FIRST_LETTER))
    return full, initials


def is_pinyin_query(query: str) -> bool:
    return bool(_ASCII_QUERY.match(query or ""))
