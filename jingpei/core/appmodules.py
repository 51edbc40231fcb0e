"""Finding each Jingpei app's module of a given name (``urls``, ``api``, ``nav``, ``todo``…): how the
project composes itself without a central list to keep in step."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """``(app config, module)`` for every Jingpei app that has ``<app>.<name>``, in INSTALLED_APPS
    order. A missing module is skipped; an import error inside one is raised."""
    for config in apps.get_app_configs():
        if not config.name.startswith("jingpei."):
            continue
        try:
            module = import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
            continue
        yield config, module


@cache
def collected(name: str, attribute: str) -> tuple:
    """Every app's ``<app>.<name>.<attribute>`` (a list), joined in INSTALLED_APPS order: the menu's
    items, the home page's to-do sources and figures."""
    return tuple(item for _config, module in app_modules(name) for item in getattr(module, attribute, ()))
