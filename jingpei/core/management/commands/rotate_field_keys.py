"""``jingpei rotate_field_keys``: after a new first key was put in FIELD_ENCRYPTION_KEYS (``new,old``), rewrite
every encrypted value and blind index under it (core.fieldkeys). Run with the application stopped; the old
key can leave the list once this has finished."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jingpei.core import fieldkeys
from jingpei.core.errors import DomainError


class Command(BaseCommand):
    help = "Re-encrypt ID/phone numbers and recompute their search indexes under the first FIELD_ENCRYPTION_KEYS key."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        def progress(table: str, done: int) -> None:
            self.stdout.write(f"  {table}: {done:,}")

        try:
            counts = fieldkeys.rotate(progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"rotated: {counts['people']:,} people, {counts['import_rows']:,} import rows (all or nothing: committed)"))
