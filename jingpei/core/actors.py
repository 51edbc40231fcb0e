"""Type names for who acts. Annotations only: nothing here runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, Union

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jingpei.accounts.models import User

# The account acting in a service; ``None`` means the system itself (demo builder, CLI, jobs).
Actor: TypeAlias = Union["User", None]
# Whoever makes a request: an account, or nobody yet.
Viewer: TypeAlias = Union["User", "AnonymousUser", None]


class AuthedRequest(HttpRequest):
    """A request behind a login check (``login_required``, the API's session auth)."""

    user: User
