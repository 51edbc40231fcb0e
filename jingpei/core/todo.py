"""The home page's to-do list (待办事项): what waits for this user, gathered from every app.

Each app may have a ``todo.py`` with ``TODOS``: functions ``(user) -> Iterable[Todo]``, each a few
queries at most, reading only what the user may see. The home page shows them in the apps' order.
"""

from __future__ import annotations

from dataclasses import dataclass

from jingpei.core.appmodules import collected


@dataclass(frozen=True)
class Todo:
    text: str
    url: str
    icon: str = "check2-square"
    order: int = 50  # lower first; equal keeps the apps' order


def todos_for(user) -> list[Todo]:
    return sorted((todo for source in collected("todo", "TODOS") for todo in source(user)), key=lambda t: t.order)
