"""Legal editors and publishers keep the organisation's row (controller, address, DPO).

It is named in every email and page footer, as the policy's Section H names it: the editors'
to change, like the policy. Adding a second row or deleting it stays refused (core.admin).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ["Legal editors", "Legal publishers"]
PERMISSIONS = ["view_organisation", "change_organisation"]


def grant(apps, schema_editor):
    core = apps.get_app_config("core")
    core.models_module = True
    create_permissions(core, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="core", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="core", codename__in=PERMISSIONS)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_organisation"),
        ("notices", "0008_translation_records"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
