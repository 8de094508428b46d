"""The default deadline table (editable in the admin; README "Privacy requests")."""

from django.db import migrations

C, B, M = "calendar-days", "business-days", "months"
# (jurisdiction, type or "" for any, acknowledge, unit, respond, unit, extension, unit, basis)
DEFAULTS = [
    ("eea-uk", "", None, C, 1, M, 2, M, "GDPR / UK GDPR Art. 12(3)"),
    ("us-ca", "", 10, B, 45, C, 45, C, "CCPA Regs. § 7021"),
    ("us-ca", "opt-out", None, C, 15, B, 0, C, "CCPA Regs. § 7026(f)"),
    ("kr", "", None, C, 10, C, 0, C, "PIPA Art. 35; the policy's own promise"),
    ("au", "", None, C, 30, C, 0, C, "APP 12.4"),
    ("ph", "", None, C, 30, C, 0, C, "Data Privacy Act; NPC rules"),
    ("other", "", None, C, 30, C, 0, C, ""),
]


def load(apps, schema_editor):
    Rule = apps.get_model("rights", "DeadlineRule")
    for law, kind, ack, ack_unit, respond, respond_unit, ext, ext_unit, basis in DEFAULTS:
        Rule.objects.get_or_create(
            jurisdiction=law,
            request_type=kind,
            defaults={
                "acknowledge_within": ack,
                "acknowledge_unit": ack_unit,
                "respond_within": respond,
                "respond_unit": respond_unit,
                "extension": ext,
                "extension_unit": ext_unit,
                "legal_basis": basis,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("rights", "DeadlineRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
