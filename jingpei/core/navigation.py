"""The navigation each role sees. Every app may have a ``nav.py`` with ``NAV_ITEMS``; an item is shown
when the user holds its permission somewhere (or it needs none beyond login). Items are grouped under
``SECTIONS`` (an officer sees twenty-odd items: one flat list read as a jumble of work and "my" pages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingpei.core.appmodules import collected
from jingpei.core.scoping import has_perm_anywhere

# The menu's sections in their order: key -> heading ("" for none: the home page first, help last).
SECTIONS: dict[str, str | Promise] = {
    "top": "",
    "people": _("组织与人员"),
    "classes": _("培训班"),
    "hours": _("学时管理"),
    "academy": _("网络学院"),
    "branches": _("基层学习"),
    "funds": _("培训经费"),
    "reports": _("统计报表"),
    "mine": _("个人"),
    "system": _("系统管理"),
    "end": "",
}


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # lazily translated
    url_name: str
    icon: str = "circle"
    perm: str | None = None  # None: any logged-in user
    order: int = 100  # within the section
    section: str = "top"  # a key of SECTIONS
    needs_person: bool = False  # "my …" pages need an account linked to a person
    # ``count(user) -> int``: a number to show beside the item (unread messages…); with ``top`` the item
    # also appears, with its number, in the top bar whenever the number is not 0 (the side menu is
    # folded away on a phone).
    count: Callable[[Any], int] | None = None
    top: bool = False
    # how the top bar's button reads to a screen reader, the number first as it is seen ("3 条未读通知")
    count_words: str | Promise = _("%(n)s 项")


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    items = collected("nav", "NAV_ITEMS")
    place = {key: n for n, key in enumerate(SECTIONS)}
    return tuple(sorted(items, key=lambda i: (place[i.section], i.order)))


def items_for(user, path: str = "") -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = []
    for item in all_items():
        if item.perm and not has_perm_anywhere(user, item.perm):
            continue
        if item.needs_person and not getattr(user, "person_id", None):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        shown.append({"label": item.label, "url": url, "icon": item.icon, "active": False,
                      "count": (n := item.count(user) if item.count else 0), "top": item.top,
                      "count_words": f"{item.count_words % {'n': n}} · {item.label}" if n else "",
                      "section": SECTIONS[item.section]})
    # The one item for the page: the longest link that the current path starts with.
    matches = [i for i in shown if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return shown
