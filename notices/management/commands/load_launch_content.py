import datetime

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from notices import services


class Command(BaseCommand):
    help = "Load the launch jurisdictions, the earlier-version record and the launch policy; safe to repeat."

    def handle(self, *args, **options):
        data = services.launch_data()
        with transaction.atomic():
            created = services.jurisdictions_load(data["jurisdictions"])
            listed = 0
            for value in data["earlier_versions_without_text"]:
                _, was_created = services.version_record_without_text(effective_date=datetime.date.fromisoformat(value))
                listed += was_created
        self.stdout.write(f"jurisdictions created: {created}; earlier versions listed: {listed}")
        # The English versions first, then their translations (YYYY-MM-DD.<language>.md), which
        # fill the published versions' other languages once and are no-ops after that.
        files = sorted(p for p in services.CONTENT_DIR.glob("*.md") if p.name[:4].isdigit())
        for path in [p for p in files if p.name.count(".") == 1]:
            call_command("import_policy", str(path), publish=True, historical=True, stdout=self.stdout)
        for path in [p for p in files if p.name.count(".") == 2]:
            call_command("import_policy", str(path), stdout=self.stdout)
