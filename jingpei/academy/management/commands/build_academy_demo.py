from django.core.management.base import BaseCommand, CommandError

from jingpei.academy import demo
from jingpei.orgs.models import Organization


class Command(BaseCommand):
    help = "Create the demo courses of the online academy (videos generated locally with ffmpeg)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="organisation name offering the courses (default: the first root)")
        parser.add_argument("--year", type=int)
        parser.add_argument("--format", choices=["mp4", "webm"], default="mp4")

    def handle(self, *args, org=None, year=None, format="mp4", **options):  # noqa: A002 - the option's name
        qs = Organization.objects.filter(name=org) if org else Organization.objects.filter(depth=1)
        target = qs.order_by("path").first()
        if target is None:
            raise CommandError("no organisation: build the demo district first (build_demo)")
        made = demo.build(target, year=year, fmt=format)
        self.stdout.write(f"academy demo: {len(made)} course(s) for {target.name}")
