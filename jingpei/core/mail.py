"""Sending e-mail from jobs: many messages over one connection, a failure counted, never fatal."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from jingpei.core.links import absolute

log = logging.getLogger(__name__)


def send_each(messages: list[tuple[str, str, str, str]]) -> int:
    """``(subject, body, address, path)`` each, over one connection; ``path`` (a page of the site, or "")
    ends the body as an absolute link. A message that fails is logged and counted (its in-app notification
    is already there); it does not stop the others. Returns the failures."""
    failed = 0
    if not messages:
        return failed
    with get_connection() as mailer:
        for subject, body, to, path in messages:
            text = f"{body}\n\n{absolute(path)}" if path else body
            try:
                EmailMessage(subject, text, settings.DEFAULT_FROM_EMAIL, [to], connection=mailer).send()
            except Exception:  # noqa: BLE001 — one bad address or a mail server hiccup must not stop the run
                log.exception("e-mail to %s failed", to)
                failed += 1
    return failed
