"""Teachers read an assignment's history of changes (quizzes.AssignmentChange); only the app
writes it, so they get view permission and nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEACHER_PERMISSIONS = {"quizzes": {"assignmentchange": ["view"]}}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Teachers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quizzes", codename="view_assignmentchange"
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Teachers"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="quizzes", codename="view_assignmentchange"
            )
        )


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0007_exam_settings_on_assignments")]

    operations = [migrations.RunPython(grant, revoke)]
