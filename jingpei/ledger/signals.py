"""Keep the materialised compliance honest about changes made in other apps.

Every organisation and person change in ``orgs`` and ``roster`` writes an audit row in its own
transaction (``core.audit.record``), so one receiver on those rows sees them all without the ledger
reaching into the other apps: a person's change marks them dirty; a change of the tree (move, archive,
delete…) or a roster import makes the materialisation stale (summaries take the exact path until the
rebuild, enqueued on commit, has run)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import Signal

# Sent with ``conversion=`` inside the transaction that saved a credit-conversion rule: capabilities that
# value their activities by the rules (academy: courses whose hours follow their length) re-value them.
conversion_changed = Signal()

PERSON_ACTIONS = {"person.update", "person.categories", "person.create", "person.archive",
                  "person.membership_add", "person.membership_remove"}
TREE_ACTIONS = {"org.move", "org.archive", "org.restore", "org.delete", "roster.import"}


def _on_audit(sender, instance, created, **kwargs) -> None:
    if not created:
        return
    from jingpei.ledger import standing

    if instance.action in PERSON_ACTIONS and instance.object_id.isdigit():
        standing.mark_dirty([int(instance.object_id)])
    elif instance.action in TREE_ACTIONS:
        standing.mark_stale()


def connect() -> None:
    from jingpei.core.models import AuditLog

    post_save.connect(_on_audit, sender=AuditLog, dispatch_uid="ledger.standing.audit")
