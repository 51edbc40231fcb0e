from django.core.management.base import BaseCommand

from jingpei.demo.scale import build_scale


class Command(BaseCommand):
    help = "Build a large synthetic city for benchmarks (up to 100k organisations and 1M people)."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100_000)
        parser.add_argument("--people", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--no-accounts", action="store_true", help="do not create the scale_* accounts")

    def handle(self, *args, orgs, people, seed, no_accounts, **options):
        result = build_scale(
            orgs=orgs,
            people=people,
            seed=seed,
            accounts=not no_accounts,
            progress=lambda message: self.stderr.write(f"  {message}"),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"规模数据已生成：{result['orgs']} 个组织，{result['people']} 名人员，"
                f"{result['memberships']} 条组织关系，用时 {result['seconds']} 秒。"
            )
        )
        for username, role, scope in result["accounts"]:
            self.stdout.write(f"  {username:<18} {role}（{scope}）")
