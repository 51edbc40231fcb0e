"""Password rules whose messages Django no longer translates.

Django 5.2.x changed the minimum-length message's placeholder (``%(min_length)d`` → ``%d``) and the
zh-Hans catalogue still holds the old text, so an administrator resetting a password read English among
Chinese. The rule is Django's; only the message is ours (translated through our own catalogue)."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext("密码太短，至少需要 %(n)d 个字符。", "密码太短，至少需要 %(n)d 个字符。",
                        self.min_length) % {"n": self.min_length}
