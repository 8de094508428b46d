from django.core.management.base import BaseCommand

from rights import services


class Command(BaseCommand):
    help = (
        "Email each assignee their overdue requests and those due soon (once per legal day); "
        "with --schedule, queue the daily task (digest and pruning) unless it is already queued; "
        "it then re-queues itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="queue the daily task if it is not queued")

    def handle(self, *args, schedule=False, **options):
        if schedule:
            queued = services.daily_schedule(if_missing=True)
            self.stdout.write("daily task queued" if queued else "daily task already queued")
            return
        self.stdout.write(f"{services.digest_send()} digest email(s) sent")
