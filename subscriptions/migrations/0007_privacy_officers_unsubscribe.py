"""Privacy officers see subscribers (with their consent history) and unsubscribe them.

The DPO handles objections and opt-outs: an unsubscribe "by an officer's admin action" is
theirs, not only a superuser's. They get no campaign or delivery rights (sending is the
publishers'), and nobody may add or delete a subscriber in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICERS = "Privacy officers"  # created by rights.0003; get_or_create keeps this app below rights
OFFICER_PERMISSIONS = ["view_subscriber", "change_subscriber"]


def grant_officers(apps, schema_editor):
    subscriptions = apps.get_app_config("subscriptions")
    subscriptions.models_module = True
    create_permissions(subscriptions, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=OFFICERS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="subscriptions", codename__in=OFFICER_PERMISSIONS)
    )


def revoke_officers(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=OFFICERS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="subscriptions", codename__in=OFFICER_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0006_subscription_history"),
    ]

    operations = [migrations.RunPython(grant_officers, revoke_officers)]
