"""Only the indexes the queries use (see Person.Meta, Organization's names and the foreign keys'
comments), dropped one by one (``core.indexes``) instead of Django's rebuild of each table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

from jingpei.core.indexes import renaming_unique_constraint, without_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0003_person_surname_readings'),
    ]

    operations = [
        without_indexes(
            {
                "orgs_person": ["id_masked", "phone_hash", "pinyin", "initials"],
                "orgs_membership": ["person_id", "org_id"],
                "orgs_personcategory": ["person_id", "category_id"],
                "orgs_personrank": ["person_id"],
                "orgs_organization": ["pinyin", "initials"],
            },
            migrations.AlterField(
                model_name='membership',
                name='org',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='orgs.organization'),
            ),
            migrations.AlterField(
                model_name='membership',
                name='person',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='orgs.person'),
            ),
            migrations.AlterField(
                model_name='person',
                name='id_masked',
                field=models.CharField(editable=False, max_length=18, verbose_name='身份证号'),
            ),
            migrations.AlterField(
                model_name='person',
                name='initials',
                field=models.CharField(blank=True, max_length=80),
            ),
            migrations.AlterField(
                model_name='person',
                name='phone_hash',
                field=models.CharField(blank=True, editable=False, max_length=64),
            ),
            migrations.AlterField(
                model_name='person',
                name='pinyin',
                field=models.CharField(blank=True, max_length=300),
            ),
            migrations.AlterField(
                model_name='personcategory',
                name='category',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='people', to='orgs.category'),
            ),
            migrations.AlterField(
                model_name='personcategory',
                name='person',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='categories', to='orgs.person'),
            ),
            migrations.AlterField(
                model_name='organization',
                name='initials',
                field=models.CharField(blank=True, max_length=120),
            ),
            migrations.AlterField(
                model_name='organization',
                name='pinyin',
                field=models.CharField(blank=True, max_length=400),
            ),
            migrations.AlterField(
                model_name='personrank',
                name='person',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='ranks', to='orgs.person'),
            ),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['phone_hash'], name='person_phone_hash_idx'),
        ),
        renaming_unique_constraint(
            "orgs_person", "id_hash", "orgs_person_id_hash_key", "person_id_hash_unique",
            migrations.AlterField(
                model_name='person',
                name='id_hash',
                field=models.CharField(editable=False, max_length=64),
            ),
            migrations.AddConstraint(
                model_name='person',
                constraint=models.UniqueConstraint(fields=('id_hash',), name='person_id_hash_unique'),
            ),
        ),
    ]
