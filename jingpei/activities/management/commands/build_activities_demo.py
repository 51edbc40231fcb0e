import time

from django.core.management.base import BaseCommand

from jingpei.activities.demo import build_activities_demo


class Command(BaseCommand):
    help = "Generate the demo district's branch sessions (1,034 by 3 April) and meetings-as-training."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--district", default="召陵区")

    def handle(self, *args, seed, district, **options):
        started = time.perf_counter()
        result = build_activities_demo(seed=seed, district_name=district)
        if result.get("skipped"):
            self.stdout.write("远程教育演示数据已存在，跳过。")
            return
        self.stdout.write(self.style.SUCCESS(
            f"远程教育：{result['sessions']} 次学习（截至 4 月 3 日 {result['sessions_by_april_3']} 次），"
            f"{result['active_branches']}/{result['branches']} 个支部开展；以会代训 {result['meetings']} 次；"
            f"计入学时 {result['credits']} 条；用时 {time.perf_counter() - started:.1f} 秒。"))
