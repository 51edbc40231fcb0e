"""The recorder's index over the recorded entries only (see the model); the old one dropped by
``core.indexes`` instead of Django's rebuild of the table on SQLite."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from jingpei.core.indexes import without_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0009_reversal_once'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        without_indexes(
            {"ledger_ledgerentry": ["recorded_by_id"]},
            migrations.AlterField(
                model_name='ledgerentry',
                name='recorded_by',
                field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
            ),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(condition=models.Q(('recorded_by__isnull', False)), fields=['recorded_by'], name='ledger_recorded_by_idx'),
        ),
    ]
