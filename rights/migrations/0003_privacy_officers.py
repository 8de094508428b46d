"""Create the "Privacy officers" group: the only staff who see privacy requests in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    "view_privacyrequest",
    "change_privacyrequest",
    "view_transition",
    "view_note",
    "add_note",
    "view_reply",
    "add_reply",
    "view_deadlinerule",
    "add_deadlinerule",
    "change_deadlinerule",
    "delete_deadlinerule",
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; create ours now to use them.
    rights = apps.get_app_config("rights")
    rights.models_module = True
    create_permissions(rights, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Privacy officers")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="rights", codename__in=PERMISSIONS))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Privacy officers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0002_default_deadlines"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, remove_group)]
