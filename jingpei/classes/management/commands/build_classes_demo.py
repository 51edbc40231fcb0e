import time

from django.core.management.base import BaseCommand

from jingpei.classes.demo import build_classes_demo


class Command(BaseCommand):
    help = "Generate the demo district's training year: plan (2,000 person-times), lecturers and classes."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--district", default="召陵区")

    def handle(self, *args, seed, district, **options):
        started = time.perf_counter()
        result = build_classes_demo(seed=seed, district_name=district)
        if result.get("skipped"):
            self.stdout.write("培训班演示数据已存在，跳过。")
            return
        self.stdout.write(self.style.SUCCESS(
            f"培训班：{result['classes']} 个班次（已结业 {result['finished']} 个），师资 {result['lecturers']} 人；"
            f"计划完成 {result['person_times']}/2000 人次；结业 {result['completed']} 人次，证书 {result['certificates']} 份；"
            f"用时 {time.perf_counter() - started:.1f} 秒。"))
