"""One-line text a service records (a topic, a title, a payee): whitespace folded, required when it must
be, refused rather than cut when too long, in the same words everywhere."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingpei.core.errors import DomainError


def clean_text(value: str, *, field: str, label: str, required: bool = True, max_length: int = 200) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > max_length:
        raise DomainError(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, field=field)
    return text
