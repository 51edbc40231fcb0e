"""Roles and what each may do. A user acts through grants (role × organisation subtree, see
``jingpei.accounts.models.Grant``); the permissions below are what a grant's role confers *within that
subtree*. Every app names the permission it checks from this one table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Perm:
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    PERSON_VIEW = "person.view"
    PERSON_MANAGE = "person.manage"
    PERSON_IMPORT = "person.import"
    PERSON_EXPORT = "person.export"
    PERSON_VIEW_SENSITIVE = "person.view_sensitive"  # unmasked ID / phone numbers, audited
    ACCOUNT_MANAGE = "account.manage"
    GRANT_MANAGE = "grant.manage"
    AUDIT_VIEW = "audit.view"
    SYSTEM_MANAGE = "system.manage"
    LEDGER_VIEW = "ledger.view"
    LEDGER_MANAGE = "ledger.manage"
    RULES_MANAGE = "rules.manage"
    CLASS_VIEW = "class.view"
    CLASS_MANAGE = "class.manage"
    CLASS_NOMINATE = "class.nominate"
    CLASS_HEAD = "class.head"
    LECTURER = "class.lecture"
    ACADEMY_VIEW = "academy.view"
    ACADEMY_MANAGE = "academy.manage"
    ACTIVITY_VIEW = "activity.view"
    ACTIVITY_LOG = "activity.log"
    MEETING_MANAGE = "meeting.manage"
    SURVEY_MANAGE = "survey.manage"
    FUNDS_VIEW = "funds.view"
    FUNDS_MANAGE = "funds.manage"
    FUNDS_APPROVE = "funds.approve"
    REPORT_VIEW = "report.view"


class Role(models.TextChoices):
    TRAINING_OFFICER = "training_officer", _("培训专员（组织部）")
    LIAISON = "liaison", _("联络员")
    BRANCH_SECRETARY = "branch_secretary", _("党支部书记")
    CLASS_HEAD = "class_head", _("班主任")
    LECTURER = "lecturer", _("授课专家")
    TRAINEE = "trainee", _("学员")
    FUNDS_APPROVER = "funds_approver", _("经费审批人")
    AUDITOR = "auditor", _("监督检查")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


P = Perm
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.TRAINING_OFFICER: frozenset(
        {
            P.ORG_VIEW,
            P.ORG_MANAGE,
            P.PERSON_VIEW,
            P.PERSON_MANAGE,
            P.PERSON_IMPORT,
            P.PERSON_EXPORT,
            P.PERSON_VIEW_SENSITIVE,
            P.LEDGER_VIEW,
            P.LEDGER_MANAGE,
            P.RULES_MANAGE,
            P.CLASS_VIEW,
            P.CLASS_MANAGE,
            P.CLASS_NOMINATE,
            P.ACADEMY_VIEW,
            P.ACADEMY_MANAGE,
            P.ACTIVITY_VIEW,
            P.ACTIVITY_LOG,
            P.MEETING_MANAGE,
            P.SURVEY_MANAGE,
            P.FUNDS_VIEW,
            P.FUNDS_MANAGE,
            P.REPORT_VIEW,
        }
    ),
    Role.LIAISON: frozenset(
        {
            P.ORG_VIEW,
            P.PERSON_VIEW,
            P.PERSON_MANAGE,
            P.PERSON_IMPORT,
            P.PERSON_EXPORT,
            P.LEDGER_VIEW,
            P.CLASS_VIEW,
            P.CLASS_NOMINATE,
            P.ACADEMY_VIEW,
            P.ACTIVITY_VIEW,
            P.REPORT_VIEW,
        }
    ),
    Role.BRANCH_SECRETARY: frozenset(
        {
            P.ORG_VIEW,
            P.PERSON_VIEW,
            P.LEDGER_VIEW,
            P.ACADEMY_VIEW,
            P.ACTIVITY_VIEW,
            P.ACTIVITY_LOG,
        }
    ),
    Role.CLASS_HEAD: frozenset({P.ORG_VIEW, P.PERSON_VIEW, P.CLASS_VIEW, P.CLASS_HEAD, P.LEDGER_VIEW}),
    Role.LECTURER: frozenset({P.CLASS_VIEW, P.LECTURER}),
    # A trainee's own data is reached through the person linked to the account, not through a grant.
    Role.TRAINEE: frozenset(),
    Role.FUNDS_APPROVER: frozenset({P.ORG_VIEW, P.FUNDS_VIEW, P.FUNDS_APPROVE}),
    Role.AUDITOR: frozenset({P.ORG_VIEW, P.FUNDS_VIEW, P.REPORT_VIEW, P.CLASS_VIEW, P.LEDGER_VIEW}),
    # 三员分立: the three administrators' duties do not overlap.
    Role.SYSTEM_ADMIN: frozenset({P.ORG_VIEW, P.ORG_MANAGE, P.ACCOUNT_MANAGE, P.SYSTEM_MANAGE}),
    Role.SECURITY_ADMIN: frozenset({P.ORG_VIEW, P.GRANT_MANAGE}),
    Role.AUDIT_ADMIN: frozenset({P.ORG_VIEW, P.AUDIT_VIEW}),
}

# No account may hold two of these at once (三员分立).
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(perm: str) -> list[str]:
    """The roles that confer ``perm`` (to find, say, everyone who may approve funds somewhere)."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
