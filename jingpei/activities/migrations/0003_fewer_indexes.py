"""Foreign keys whose own index another index leading with them already serves (see the models);
the indexes dropped one by one (``core.indexes``) instead of Django's rebuild of each table on SQLite."""

import django.db.models.deletion
from django.db import migrations, models

from jingpei.core.indexes import without_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0002_session_course_fk'),
        ('orgs', '0004_fewer_person_indexes'),
    ]

    operations = [
        without_indexes(
            {"activities_branchsession": ["branch_id"], "activities_meetingattendance": ["meeting_id"], "activities_sessionattendance": ["person_id", "session_id"]},
            migrations.AlterField(
                model_name='branchsession',
                name='branch',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='activity_sessions', to='orgs.organization', verbose_name='党支部'),
            ),
            migrations.AlterField(
                model_name='meetingattendance',
                name='meeting',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='activities.meeting'),
            ),
            migrations.AlterField(
                model_name='sessionattendance',
                name='person',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='activity_attendances', to='orgs.person'),
            ),
            migrations.AlterField(
                model_name='sessionattendance',
                name='session',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='activities.branchsession'),
            ),
        ),
    ]
