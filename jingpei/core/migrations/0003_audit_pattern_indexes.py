"""One index each for the audit log's action and org_path, with the operator class their prefix
searches need on PostgreSQL; the job queue's status index served by job_queue_idx. The old indexes are
dropped one by one (``core.indexes``) instead of Django's rebuild of each table on SQLite."""

from django.conf import settings
from django.db import migrations, models

from jingpei.core.indexes import without_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_scheduled_run'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        without_indexes(
            {"core_auditlog": ["action", "org_path"], "core_job": ["status"]},
            migrations.AlterField(
                model_name='auditlog',
                name='action',
                field=models.CharField(max_length=64, verbose_name='操作'),
            ),
            migrations.AlterField(
                model_name='auditlog',
                name='org_path',
                field=models.CharField(blank=True, max_length=255),
            ),
            migrations.AlterField(
                model_name='job',
                name='status',
                field=models.CharField(choices=[('queued', '排队中'), ('running', '进行中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=10),
            ),
        ),
        migrations.AddIndex(
            model_name='auditlog',
            index=models.Index(fields=['action'], name='audit_action_idx', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='auditlog',
            index=models.Index(fields=['org_path'], name='audit_org_path_idx', opclasses=['varchar_pattern_ops']),
        ),
    ]
