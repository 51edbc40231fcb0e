from django.core.management.base import BaseCommand

from jingpei.ledger.services import rebuild_rollups


class Command(BaseCommand):
    help = "Recompute the ledger's month rollups from the raw ledger (one SQL statement)."

    def handle(self, *args, **options):
        self.stdout.write(f"{rebuild_rollups()} rollup rows")
