"""Fetch-and-authorise for imports and exports. An import or an export holds personal data of the
organisations it touched, so only the user who made it may open it (404 for everyone else)."""

from __future__ import annotations

from django.http import Http404

from jingpei.roster.models import RosterExport, RosterImport


def get_import(user, import_id) -> RosterImport:
    try:
        return RosterImport.objects.get(pk=int(import_id), created_by_id=user.pk)
    except (RosterImport.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def get_export(user, export_id) -> RosterExport:
    try:
        return RosterExport.objects.get(pk=int(export_id), created_by_id=user.pk)
    except (RosterExport.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def own_imports(user):
    return RosterImport.objects.filter(created_by_id=user.pk)
