"""The branch session's academy course becomes a foreign key (it was a bare number while the academy
was being built). Numbers that name no course are dropped: nothing could show them."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F


def copy_known(apps, schema_editor):
    BranchSession = apps.get_model("activities", "BranchSession")
    Course = apps.get_model("academy", "Course")
    BranchSession.objects.filter(legacy_course__in=Course.objects.values("pk")).update(course_id=F("legacy_course"))


def copy_back(apps, schema_editor):
    BranchSession = apps.get_model("activities", "BranchSession")
    BranchSession.objects.filter(course__isnull=False).update(legacy_course=F("course_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("academy", "0004_course_test"),
        ("activities", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("branchsession", "course_id", "legacy_course"),
        migrations.AddField(
            model_name="branchsession",
            name="course",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="branch_sessions", to="academy.course",
                                    verbose_name="网络学院课程"),
        ),
        migrations.RunPython(copy_known, copy_back),
        migrations.RemoveField("branchsession", "legacy_course"),
    ]
