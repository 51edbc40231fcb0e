from datetime import date

from django.core.management.base import BaseCommand

from jingpei.ledger import standing


class Command(BaseCommand):
    help = "Daily re-materialisation of compliance (statuses depend on the date): run once a day from cron."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)
        parser.add_argument("--dirty-only", action="store_true", help="only fold in the people marked dirty")

    def handle(self, *args, as_of=None, dirty_only=False, **options):
        if dirty_only:
            done = 0
            while (n := standing.refresh_dirty()) > 0:
                done += n
            self.stdout.write(f"refreshed {done} people")
            return
        stats = standing.rebuild(as_of)
        self.stdout.write(f"as of {stats['as_of']}: {stats['facts']} facts, {stats['counts']} count rows, "
                          f"{stats['special']} special")
