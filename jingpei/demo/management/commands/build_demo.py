from django.core.management.base import BaseCommand, CommandError

from jingpei.demo.builder import DEMO_PASSWORD, build_everything
from jingpei.orgs.models import Organization


class Command(BaseCommand):
    help = "Build the demo district (召陵区, 378 party branches, ~3,000 people, one account per role)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--people", type=int, default=3000)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if organisations exist")

    def handle(self, *args, seed, people, if_empty, **options):
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("演示数据已存在，跳过生成。 (demo data present)")
                return
            raise CommandError("数据库中已有组织数据；请使用空数据库，或加 --if-empty。")
        result = build_everything(seed=seed, people=people, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示区已生成：{result['orgs']} 个组织，{result['branches']} 个党支部，{result['people']} 名人员。"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, scope in result["accounts"]:
            self.stdout.write(f"  {username:<16} {role}（{scope}）")
