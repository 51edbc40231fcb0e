"""The one scoping primitive: which organisation subtrees a user's grants cover for a permission.

Every app's ``access.py`` builds on :func:`scope_for`; nothing else decides what a user may see.
A subtree is a materialised-path prefix, so a scope is a short list of prefixes and filtering by it is
one indexed range condition per prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from django.db.models import Q

from jingpei.core.actors import Viewer
from jingpei.core.permissions import role_permissions

if TYPE_CHECKING:
    from jingpei.accounts.models import User


@dataclass(frozen=True)
class Scope:
    """The organisation path prefixes a user may act on for one permission (minimal: none covers
    another)."""

    prefixes: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.prefixes

    def covers(self, path: str | None) -> bool:
        return bool(path) and any(path.startswith(p) for p in self.prefixes)  # type: ignore[union-attr]

    def q(self, field: str = "path") -> Q:
        """A Q object restricting ``field`` (an organisation path) to the scope; matches nothing if
        the scope is empty."""
        if not self.prefixes:
            return Q(pk__in=[])
        condition = Q()
        for prefix in self.prefixes:
            condition |= Q(**{f"{field}__startswith": prefix})
        return condition


def _minimal(prefixes: set[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def _active_grants(user: User) -> list[tuple[str, str]]:
    """(role, org path) of the user's live grants, cached on the user object for the request."""
    cached: list[tuple[str, str]] | None = getattr(user, "_jingpei_grants", None)
    if cached is None:
        from jingpei.accounts.models import Grant

        cached = list(
            Grant.objects.active()
            .filter(user_id=user.pk, org__archived_at__isnull=True)
            .values_list("role", "org__path")
        )
        user._jingpei_grants = cached  # type: ignore[attr-defined]
    return cached


def _is_account(user: Viewer) -> TypeGuard[User]:
    return user is not None and user.is_authenticated and user.is_active


def scope_for(user: Viewer, perm: str) -> Scope:
    if not _is_account(user):
        return Scope(())
    prefixes = {path for role, path in _active_grants(user) if perm in role_permissions(role)}
    return Scope(_minimal(prefixes))


def has_perm_anywhere(user: Viewer, perm: str) -> bool:
    return not scope_for(user, perm).empty


def user_roles(user: Viewer) -> set[str]:
    if not _is_account(user):
        return set()
    return {role for role, _path in _active_grants(user)}


def forget_grants(user: Viewer) -> None:
    """Drop the per-request cache after grants change."""
    if hasattr(user, "_jingpei_grants"):
        del user._jingpei_grants  # type: ignore[union-attr]
