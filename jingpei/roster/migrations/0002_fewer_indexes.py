"""Foreign keys whose own index another index leading with them already serves (see the models);
the indexes dropped one by one (``core.indexes``) instead of Django's rebuild of each table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

from jingpei.core.indexes import without_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('roster', '0001_initial'),
    ]

    operations = [
        without_indexes(
            {"roster_importrow": ["roster_import_id"]},
            migrations.AlterField(
                model_name='importrow',
                name='roster_import',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='roster.rosterimport'),
            ),
        ),
    ]
