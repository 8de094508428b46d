"""Create the "Legal editors" and "Legal publishers" groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    "add_policyversion",
    "change_policyversion",
    "view_policyversion",
    "add_section",
    "change_section",
    "delete_section",
    "view_section",
    "view_jurisdiction",
]
PUBLISHER_PERMISSIONS = [*EDITOR_PERMISSIONS, "publish_policyversion", "change_jurisdiction"]
GROUPS = {"Legal editors": EDITOR_PERMISSIONS, "Legal publishers": PUBLISHER_PERMISSIONS}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create ours now to use them.
    notices = apps.get_app_config("notices")
    notices.models_module = True
    create_permissions(notices, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="notices", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0003_published_text_is_immutable"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
