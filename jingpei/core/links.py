"""Links that must work outside a page of the site: in an e-mail, on a certificate's QR code."""

from __future__ import annotations

import os

from django.conf import settings


def absolute(path: str, base_url: str = "") -> str:
    """``path`` (``/classes/mine/``) on the site's public address: ``PUBLIC_BASE_URL`` (setting or
    environment) wins over ``base_url`` (the address a request came in by), so what is sent from an
    intranet host name still opens from elsewhere. Without either, the path as it is."""
    base = getattr(settings, "PUBLIC_BASE_URL", "") or os.environ.get("PUBLIC_BASE_URL", "") or base_url
    return f"{base.rstrip('/')}{path}"
