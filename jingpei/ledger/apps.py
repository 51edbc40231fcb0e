from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jingpei.ledger"
    label = "ledger"
    verbose_name = "学时台账"

    def ready(self):
        from jingpei.ledger import (  # noqa: F401  dated, jobs and lists register the ledger's background tasks
            dated,
            jobs,
            lists,
            signals,
        )

        signals.connect()
        _schedule()


def _schedule() -> None:
    """The ledger's calendar jobs: today's compliance figures rebuilt every night, and the reminders on
    the 20th (early in a month every monthly rule looks behind; the 20th leaves ten days to catch up)."""
    from datetime import time

    from django.utils.translation import gettext_lazy as _

    from jingpei.core import schedule

    schedule.daily("ledger.standing", at=time(2, 0), title=_("学时达标统计重建"), full=True,
                   unless_current=True)
    schedule.monthly("ledger.reminders", day=20, at=time(9, 0), title=_("每月学时提醒"))
