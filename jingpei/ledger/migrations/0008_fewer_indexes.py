"""Foreign keys whose own index another index leading with them already serves, and keys looked up
only whole, without the varchar_pattern_ops twin of ``unique=True`` (see the models); done index by
index (``core.indexes``) instead of Django's rebuild of each table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

from jingpei.core.indexes import renaming_unique_constraint, without_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0007_rollup_person_index_dropped'),
        ('orgs', '0004_fewer_person_indexes'),
    ]

    operations = [
        without_indexes(
            {"ledger_compliancefact": ["person_id", "rule_id"], "ledger_ledgerentry": ["person_id"]},
            migrations.AlterField(
                model_name='compliancefact',
                name='person',
                field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='orgs.person'),
            ),
            migrations.AlterField(
                model_name='compliancefact',
                name='rule',
                field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='ledger.requirementrule'),
            ),
            migrations.AlterField(
                model_name='ledgerentry',
                name='person',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='orgs.person'),
            ),
        ),
        renaming_unique_constraint(
            "ledger_ledgerentry", "idempotency_key", "ledger_ledgerentry_idempotency_key_key", "ledger_entry_key_unique",
            migrations.AlterField(
                model_name='ledgerentry',
                name='idempotency_key',
                field=models.CharField(max_length=200),
            ),
            migrations.AddConstraint(
                model_name='ledgerentry',
                constraint=models.UniqueConstraint(fields=('idempotency_key',), name='ledger_entry_key_unique'),
            ),
        ),
        renaming_unique_constraint(
            "ledger_remindersent", "key", "ledger_remindersent_key_key", "reminder_key_unique",
            migrations.AlterField(
                model_name='remindersent',
                name='key',
                field=models.CharField(max_length=120),
            ),
            migrations.AddConstraint(
                model_name='remindersent',
                constraint=models.UniqueConstraint(fields=('key',), name='reminder_key_unique'),
            ),
        ),
    ]
