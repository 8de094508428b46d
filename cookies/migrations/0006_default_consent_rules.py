"""The launch consent rules, and a Consent Mode mapping for the launch groups already loaded.

Both are also created by ``load_cookie_groups`` (for a database emptied since, e.g. by the
browser tests' flush); neither overwrites a row that exists.
"""

from django.db import migrations

# Frozen here: what the launch groups grant in Google Consent Mode.
GROUP_TYPES = {
    "necessary": ["security_storage"],
    "functional": ["functionality_storage", "personalization_storage"],
    "analytics": ["analytics_storage"],
    "advertising": ["ad_storage", "ad_user_data", "ad_personalization"],
}


def create(apps, schema_editor):
    from cookies import launch

    alias = schema_editor.connection.alias
    ConsentRule = apps.get_model("cookies", "ConsentRule")
    for entry in launch.consent_rules():
        ConsentRule.objects.using(alias).get_or_create(code=entry["code"], defaults=entry)
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    ConsentModeMapping = apps.get_model("cookies", "ConsentModeMapping")
    for group in CookieGroup.objects.using(alias).filter(varname__in=GROUP_TYPES):
        ConsentModeMapping.objects.using(alias).get_or_create(
            group=group, defaults={"consent_types": GROUP_TYPES[group.varname]}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cookies", "0005_consent_rules_and_consent_mode"),
        ("cookie_consent", "0004_cookie_natural_key"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
