from datetime import date

from django.core.management.base import BaseCommand

from jingpei.ledger.reminders import send_reminders


class Command(BaseCommand):
    help = "Monthly check of study hours: remind people behind and send liaisons their lists (cron)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=date.fromisoformat, default=None)

    def handle(self, *args, as_of=None, **options):
        stats = send_reminders(as_of=as_of)
        self.stdout.write(f"reminded {stats['people']} people, {stats['digests']} liaison lists, {stats['mail_failed']} e-mails failed")
