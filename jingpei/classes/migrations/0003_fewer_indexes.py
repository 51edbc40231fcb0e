"""Foreign keys whose own index another index leading with them already serves (see the models);
the indexes dropped one by one (``core.indexes``) instead of Django's rebuild of each table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

from jingpei.core.indexes import without_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0002_class_cancel'),
    ]

    operations = [
        without_indexes(
            {"classes_attendance": ["session_id"], "classes_classquota": ["klass_id"], "classes_enrolment": ["klass_id"]},
            migrations.AlterField(
                model_name='attendance',
                name='session',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='classes.session'),
            ),
            migrations.AlterField(
                model_name='classquota',
                name='klass',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='quotas', to='classes.trainingclass'),
            ),
            migrations.AlterField(
                model_name='enrolment',
                name='klass',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='classes.trainingclass'),
            ),
        ),
    ]
