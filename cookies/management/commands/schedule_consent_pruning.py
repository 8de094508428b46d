from django.conf import settings
from django.core.management.base import BaseCommand

from cookies import retention


class Command(BaseCommand):
    help = "Arm the daily task that prunes consent records older than CONSENT_RETENTION_DAYS; repeatable."

    def handle(self, *args, **options):
        schedule = retention.retention_schedule()
        self.stdout.write(
            f"consent pruning armed: daily from {schedule.next_run:%Y-%m-%d %H:%M} UTC, "
            f"keeping {settings.CONSENT_RETENTION_DAYS} days"
        )
