"""Writing the audit trail. Call :func:`record` inside the service's transaction."""

from __future__ import annotations

from typing import Any

from jingpei.core.middleware import client_ip
from jingpei.core.models import AuditLog


def record(
    action: str,
    obj: Any,
    *,
    actor=None,
    before: dict | None = None,
    after: dict | None = None,
    org_path: str = "",
    object_type: str | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_username() if getattr(actor, "pk", None) else "system")[:150],
        ip=client_ip(),
        action=action,
        object_type=object_type or obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        org_path=org_path,
        before=before,
        after=after,
    )


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys that changed, for compact before/after rows."""
    keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
