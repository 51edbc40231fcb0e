from django.db import migrations

from jingpei.ledger import presets


def install(apps, schema_editor):
    presets.install(apps.get_model("ledger", "RequirementRule"), apps.get_model("ledger", "ConversionRule"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_rules_rollups")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
