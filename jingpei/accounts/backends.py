"""Log in with a username or with the phone number of the person the account belongs to, and the password
(or, the first time, the activation code of an account opened in bulk)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from jingpei.accounts import activation
from jingpei.accounts.models import User
from jingpei.core import crypto
from jingpei.orgs.idnumbers import clean_phone


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        username = username.strip()
        user = User.objects.filter(username=username).first()
        if user is None:
            phone = clean_phone(username)
            if len(phone) == 11:
                user = User.objects.filter(person__phone_hash=crypto.blind_index(phone, "phone")).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle for usernames
            return None
        if proves(user, password) and self.user_can_authenticate(user):
            return user
        return None


def proves(user: User, secret: str) -> bool:
    """The account's password, or — until its owner has chosen one — its one-time activation code."""
    return activation.matches(user, secret) or user.check_password(secret)
