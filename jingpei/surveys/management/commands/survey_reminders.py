from datetime import date

from django.core.management.base import BaseCommand

from jingpei.surveys.services import remind_unanswered


class Command(BaseCommand):
    help = "Remind, once, who has not answered an open survey that closes within three days (cron, daily)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None)

    def handle(self, *args, today=None, **options):
        stats = remind_unanswered(today=today)
        self.stdout.write(f"{stats['surveys']} surveys closing soon, {stats['people']} people reminded")
