"""The play token is looked up only whole: a named unique constraint instead of ``unique=True``, without
its varchar_pattern_ops twin on PostgreSQL (``core.indexes``)."""

from django.db import migrations, models

from jingpei.core.indexes import renaming_unique_constraint


class Migration(migrations.Migration):

    dependencies = [
        ('academy', '0004_course_test'),
    ]

    operations = [
        renaming_unique_constraint(
            "academy_playsession", "token", "academy_playsession_token_key", "academy_play_token_unique",
            migrations.AlterField(
                model_name='playsession',
                name='token',
                field=models.CharField(max_length=64),
            ),
            migrations.AddConstraint(
                model_name='playsession',
                constraint=models.UniqueConstraint(fields=('token',), name='academy_play_token_unique'),
            ),
        ),
    ]
