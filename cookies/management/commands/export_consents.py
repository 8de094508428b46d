import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cookies import export
from cookies.models import ConsentRecord


def parse_since(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since must be a date (YYYY-MM-DD) or an ISO 8601 time, not {value!r}") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.timezone.utc)
    return moment


class Command(BaseCommand):
    help = "Write consent records as CSV to stdout, oldest first, streaming (constant memory)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only records from this date (YYYY-MM-DD, UTC) or time on")

    def handle(self, *args, **options):
        records = ConsentRecord.objects.all()
        if options["since"]:
            records = records.since(parse_since(options["since"]))
        out = self.stdout
        for line in export.lines(records):
            out.write(line, ending="")
        out.flush()
