from django.core.management.base import BaseCommand

from rights import services


class Command(BaseCommand):
    help = (
        "Delete privacy requests never confirmed within REQUESTS_VERIFY_MAX_AGE, and those closed "
        "more than REQUESTS_RETENTION_DAYS ago with their history. Run it daily."
    )

    def handle(self, *args, **options):
        unverified = services.unverified_prune()
        closed = services.closed_prune()
        self.stdout.write(f"deleted {unverified} unconfirmed and {closed} closed request(s)")
