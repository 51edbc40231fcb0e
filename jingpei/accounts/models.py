"""Accounts and grants. A grant is a role on an organisation subtree; a user may hold several."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingpei.core.permissions import Role


class User(AbstractUser):
    """A login. Linked to the person it belongs to (trainees, liaisons…); administrators may have none."""

    person = models.OneToOneField(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # An account opened in bulk has no password until its owner first logs in with the one-time activation
    # code handed to them (accounts.activation): only the code's keyed hash is kept, and until when it works.
    activation_digest = models.CharField(max_length=64, blank=True, editable=False)
    activation_expires = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("账号")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        if self.person is not None:
            return self.person.name
        return (self.last_name + self.first_name).strip()


class GrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Grant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="grants"
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                condition=Q(revoked_at__isnull=True),
                name="grant_active_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"
