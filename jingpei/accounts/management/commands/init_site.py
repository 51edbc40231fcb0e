"""``jingpei init_site --org 召陵区``: the first step on a new installation (after ``jingpei migrate``): the top
organisation, the three administrators (三员分立) and a training officer, each with a one-time password."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from jingpei.accounts.services import initialise_site
from jingpei.core.errors import DomainError
from jingpei.core.permissions import Role
from jingpei.orgs.choices import OrgKind

TOP_KINDS = (OrgKind.DISTRICT, OrgKind.ENTERPRISE, OrgKind.UNIT)


class Command(BaseCommand):
    help = "初始化新系统：创建顶级组织（区/县或企业）、系统/安全/审计管理员和培训专员账号（一次性密码）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="顶级组织名称，如 召陵区、中国黄金集团扶贫办")
        parser.add_argument("--kind", default=OrgKind.DISTRICT, choices=[k.value for k in TOP_KINDS],
                            help="顶级组织类型（默认 district：区/县）")
        parser.add_argument("--sysadmin", default="sysadmin", help="系统管理员用户名")
        parser.add_argument("--secadmin", default="secadmin", help="安全管理员用户名")
        parser.add_argument("--auditadmin", default="auditadmin", help="审计管理员用户名")
        parser.add_argument("--officer", default="officer", help="培训专员用户名；留空（--officer=）则不创建")

    def handle(self, *args, **options):
        usernames = {Role.SYSTEM_ADMIN: options["sysadmin"], Role.SECURITY_ADMIN: options["secadmin"],
                     Role.AUDIT_ADMIN: options["auditadmin"]}
        if options["officer"]:
            usernames[Role.TRAINING_OFFICER] = options["officer"]
        try:
            org, made = initialise_site(org_name=options["org"], kind=options["kind"], usernames=usernames)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"已创建顶级组织“{org.name}”及以下账号（范围：{org.name}）："))
        width = max(len(user.username) for user, _r, _p in made)
        for user, role, password in made:
            self.stdout.write(f"  {user.username:<{width}}  {password}  {Role(role).label}")
        self.stdout.write("请将一次性密码分别交给本人；首次登录后须修改密码。此密码不会再次显示。")
