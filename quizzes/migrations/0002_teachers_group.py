"""Creates the Teachers group with exactly the permissions teachers need.

Banks and questions are shared: teachers add and edit them but never delete a question (they
retire it, so old attempts keep their meaning). Classes, assignments and attempts are scoped to
the classes a teacher teaches by the admin, not by these permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TEACHER_PERMISSIONS = {
    "quizzes": {
        "bank": ["add", "change", "view"],
        "tag": ["add", "change", "view"],
        "question": ["add", "change", "view"],
        "choice": ["add", "change", "delete", "view"],
        "acceptedanswer": ["add", "change", "delete", "view"],
        "numericanswer": ["add", "change", "delete", "view"],
        "matchpair": ["add", "change", "delete", "view"],
        "orderitem": ["add", "change", "delete", "view"],
        "quiz": ["add", "change", "view"],
        "slot": ["add", "change", "delete", "view"],
        "schoolclass": ["add", "change", "delete", "view"],
        "enrollment": ["add", "change", "delete", "view"],
        "assignment": ["add", "change", "delete", "view"],
        "assignmentoverride": ["add", "change", "delete", "view"],
        "attempt": ["view"],
        "attemptquestion": ["view"],
        "response": ["view"],
    },
    # Needed to find students by name when enrolling them (the user admin shows teachers
    # students only; see quizzes.admin.users).
    "auth": {"user": ["view"]},
}


def create_teachers_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now. The
    # historical app configs have no models_module, which create_permissions requires.
    for label in TEACHER_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Teachers")
    codenames = [
        f"{action}_{model}"
        for models in TEACHER_PERMISSIONS.values()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label__in=TEACHER_PERMISSIONS, codename__in=codenames
    )
    group.permissions.set(permissions)


def remove_teachers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Teachers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_teachers_group, remove_teachers_group)]
