"""At most one reversal per entry, by a unique index over the reversals only (see the model): the
one-to-one field's unique index held a NULL for every credit (1 GB at 50M entries)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from jingpei.core.indexes import dropping_unique_constraint


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0008_fewer_indexes'),
        ('orgs', '0004_fewer_person_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        dropping_unique_constraint(
            "ledger_ledgerentry", "reverses_id", "ledger_ledgerentry_reverses_id_key",
            migrations.AlterField(
                model_name='ledgerentry',
                name='reverses',
                field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='ledger.ledgerentry'),
            ),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.UniqueConstraint(condition=models.Q(('reverses__isnull', False)), fields=('reverses',), name='ledger_reversal_once'),
        ),
    ]
