from django.core.management.base import BaseCommand

from rights.csv_export import rows
from rights.models import PrivacyRequest


class Command(BaseCommand):
    help = "Write every verified privacy request as CSV to stdout (one row each, streamed)."

    def handle(self, *args, **options):
        for line in rows(PrivacyRequest.objects.verified()):
            self.stdout.write(line, ending="")
