from django.core.management.base import BaseCommand

from rights import services


class Command(BaseCommand):
    help = (
        "Email each assignee their overdue requests and those due soon (once per legal day); "
        "with --schedule, queue the daily task instead, which then re-queues itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="queue the daily digest task")

    def handle(self, *args, schedule=False, **options):
        if schedule:
            services.digest_schedule()
            self.stdout.write("daily digest queued")
            return
        self.stdout.write(f"{services.digest_send()} digest email(s) sent")
