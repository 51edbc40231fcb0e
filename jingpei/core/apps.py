import gc

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "jingpei.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        apply_gc_threshold(getattr(settings, "GC_GEN0_THRESHOLD", 0))


def apply_gc_threshold(gen0: int) -> None:
    """Raise the collector's first threshold (see settings.GC_GEN0_THRESHOLD); the older generations keep
    their ratios, so a full collection still comes, just after more allocations."""
    if gen0 > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0, gen1, gen2)
