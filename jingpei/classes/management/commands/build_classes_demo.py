import time

from django.core.management.base import BaseCommand

from jingpei.classes.demo import build_classes_demo, describe


class Command(BaseCommand):
    help = "Generate the demo district's training year: plan (2,000 person-times), lecturers and classes."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--district", default="召陵区")

    def handle(self, *args, seed, district, **options):
        started = time.perf_counter()
        result = build_classes_demo(seed=seed, district_name=district)
        if result.get("skipped"):
            self.stdout.write(describe(result))
            return
        self.stdout.write(self.style.SUCCESS(f"{describe(result)}用时 {time.perf_counter() - started:.1f} 秒。"))
