from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "jingpei.academy"
    label = "academy"
    verbose_name = "网络学院"

    def ready(self):
        from jingpei.academy import exports  # noqa: F401 - registers the export job
        from jingpei.ledger.signals import conversion_changed

        conversion_changed.connect(_revalue_courses, dispatch_uid="academy.revalue_courses")


def _revalue_courses(sender, conversion, **kwargs) -> None:
    """Courses whose hours follow the conversion rules take the changed rules (online, by minutes)."""
    if conversion.form == "online" and conversion.basis == "minutes":
        from jingpei.academy.services import refresh_rule_hours

        refresh_rule_hours()
