import datetime

from django.core.management.base import BaseCommand, CommandError

from cookies import services


def days(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"--older-than must be a whole number of days, not {value!r}") from None
    if number < 1:
        raise CommandError("--older-than must be at least 1 day")
    return number


class Command(BaseCommand):
    help = "Delete consent records older than the given number of days: the only way records are removed."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", required=True, metavar="DAYS", help="age in days")

    def handle(self, *args, **options):
        age = days(options["older_than"])
        deleted = services.consents_prune(older_than=datetime.timedelta(days=age))
        self.stdout.write(f"consent records deleted: {deleted} (older than {age} days)")
