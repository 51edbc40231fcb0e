"""The home page's to-do list (待办事项): what waits for this user, gathered from every app.

Each app may have a ``todo.py`` with ``TODOS``: functions ``(user) -> Iterable[Todo]``, each a few
queries at most, reading only what the user may see. The home page shows them in the apps' order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Todo:
    text: str
    url: str
    icon: str = "check2-square"
    order: int = 50  # lower first; equal keeps the apps' order


@lru_cache(maxsize=1)
def _sources() -> tuple[Callable[[Any], Iterable[Todo]], ...]:
    found: list = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jingpei."):
            continue
        try:
            module = import_module(f"{config.name}.todo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.todo":
                raise
            continue
        found.extend(getattr(module, "TODOS", ()))
    return tuple(found)


def todos_for(user) -> list[Todo]:
    return sorted((todo for source in _sources() for todo in source(user)), key=lambda t: t.order)
