"""The navigation each role sees. Every app may have a ``nav.py`` with ``NAV_ITEMS``; an item is shown
when the user holds its permission somewhere (or it needs none beyond login)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from jingpei.core.appmodules import app_modules
from jingpei.core.scoping import has_perm_anywhere


@dataclass(frozen=True)
class NavItem:
    label: str | Promise  # lazily translated
    url_name: str
    icon: str = "circle"
    perm: str | None = None  # None: any logged-in user
    order: int = 100
    needs_person: bool = False  # "my …" pages need an account linked to a person
    # ``count(user) -> int``: a number to show beside the item (unread messages…); with ``top`` the item
    # also appears, with its number, in the top bar whenever the number is not 0 (the side menu is
    # folded away on a phone).
    count: Callable[[Any], int] | None = None
    top: bool = False


@lru_cache(maxsize=1)
def all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for _config, module in app_modules("nav"):
        items.extend(getattr(module, "NAV_ITEMS", ()))
    return tuple(sorted(items, key=lambda i: i.order))


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
                      "count": item.count(user) if item.count else 0, "top": item.top})
    # The one item for the page: the longest link that the current path starts with.
    matches = [i for i in shown if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return shown
