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
def _char_options(char: str, style: Style) -> tuple[str, ...]:
    """Every reading of one character, the library's usual one first. Cached per character: a roster
    of 100k names has only a few thousand distinct characters, so a name costs a few dict lookups."""
    if not ("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"):
        return (char.lower(),)
    usual = pinyin(char, style=style, errors=_keep_as_letters)[0][0].lower()
    every = pinyin(char, style=style, heteronym=True, errors=_keep_as_letters)[0]
    return (usual, *sorted({p.lower() for p in every if p and p.lower() != usual}))


# Surnames read otherwise than their characters usually are (曾 is zēng as a surname, céng in 曾经): a
# person's name starts with the surname, so its surname reading comes first for that name (login names,
# the order of names). The other readings stay in the keys, so searching by either finds the person.
# Surnames read two ways in practice (盖 gě/gài, 乐 yuè/lè …) keep the library's usual reading first
# unless one is far the commoner.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",), "区": ("ou",),
    "查": ("zha",), "乐": ("yue",), "翟": ("zhai",), "覃": ("qin",), "缪": ("miao",), "召": ("shao",),
    "种": ("chong",), "重": ("chong",), "秘": ("bi",), "繁": ("po",), "员": ("yun",), "句": ("gou",),
    "薄": ("bo",), "都": ("du",), "折": ("she",), "隗": ("wei",), "阚": ("kan",),
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "单于": ("chan", "yu"), "澹台": ("tan", "tai"),
    "乐正": ("yue", "zheng"),
}


def _surname_first(options: list[tuple[str, ...]], text: str, style: Style) -> list[tuple[str, ...]]:
    surname = next((s for s in (text[:2], text[:1]) if s in SURNAME_READINGS), None)
    if surname is None:
        return options
    for i, reading in enumerate(SURNAME_READINGS[surname]):
        first = reading[0] if style == Style.FIRST_LETTER else reading
        options[i] = (first, *(o for o in options[i] if o != first))
    return options


def _readings(text: str, style: Style, *, person: bool = False) -> tuple[str, ...]:
    options = [_char_options(ch, style) for ch in text if not ch.isspace()]
    if person:
        options = _surname_first(options, text, style)
    # The product starts with every character's usual reading, so the usual reading survives the cap.
    return tuple("".join(combo) for combo in itertools.islice(itertools.product(*options), MAX_READINGS))


# Keys must fit the narrowest columns that hold them (Person.pinyin / Person.initials).
FULL_MAX = 300
INITIALS_MAX = 80


def _joined(readings: tuple[str, ...], limit: int) -> str:
    """`` r1 r2 …`` with as many whole readings as fit in ``limit`` (the usual reading first, always)."""
    key = ""
    for reading in readings:
        candidate = f"{key} {reading}"
        if len(candidate) > limit and key:
            break
        key = candidate
    return key[:limit]


def search_keys(text: str) -> tuple[str, str]:
    """Return (full-pinyin key, initials key) for ``text``, each like ``" zhaolingqu shaolingqu"``."""
    return _search_keys((text or "").strip())


@lru_cache(maxsize=65536)
def _search_keys(text: str) -> tuple[str, str]:
    # Cached whole: names repeat (a roster of 100k has ~65k distinct), and joining the readings
    # cost as much as finding them.
    return _joined(_readings(text, Style.NORMAL), FULL_MAX), _joined(_readings(text, Style.FIRST_LETTER), INITIALS_MAX)


def name_keys(name: str) -> tuple[str, str]:
    """:func:`search_keys` for a person's name: the surname's own reading first (曾国藩 → zengguofan)."""
    return _name_keys((name or "").strip())


@lru_cache(maxsize=65536)
def _name_keys(text: str) -> tuple[str, str]:
    return (_joined(_readings(text, Style.NORMAL, person=True), FULL_MAX),
            _joined(_readings(text, Style.FIRST_LETTER, person=True), INITIALS_MAX))


def is_pinyin_query(query: str) -> bool:
    return bool(_ASCII_QUERY.match(query or ""))
