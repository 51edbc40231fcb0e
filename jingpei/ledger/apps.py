from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "jingpei.ledger"
    label = "ledger"
    verbose_name = "学时台账"

    def ready(self):
        from jingpei.ledger import (
            jobs,  # noqa: F401  registers the ledger's background tasks
            signals,
        )

        signals.connect()
