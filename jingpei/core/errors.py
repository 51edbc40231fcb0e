"""Domain errors that services raise and every layer (pages, API, imports) renders the same way."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A rule of the domain refused the operation. ``message`` is for the user, in their language.

    ``field`` names the form field or import column at fault, when there is one.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotAllowed(DomainError, PermissionDenied):
    """The user may see the object but not do this to it (403). Uncaught, Django answers 403."""

    status = 403
    code = "forbidden"
