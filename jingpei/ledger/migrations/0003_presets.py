from django.db import migrations

from jingpei.ledger.presets import CONVERSION_PRESETS, REQUIREMENT_PRESETS


def install(apps, schema_editor):
    RequirementRule = apps.get_model("ledger", "RequirementRule")
    ConversionRule = apps.get_model("ledger", "ConversionRule")
    for preset in REQUIREMENT_PRESETS:
        RequirementRule.objects.get_or_create(code=preset["code"], defaults={**preset, "is_preset": True})
    for preset in CONVERSION_PRESETS:
        ConversionRule.objects.get_or_create(code=preset["code"], defaults=preset)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_rules_rollups")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
