from django.core.management.base import BaseCommand, CommandError

from notices.services import PolicyImportRefused, policy_import
from notices.source import PolicySourceError, parse_policy_file


class Command(BaseCommand):
    help = "Import a policy version written as Markdown with front matter (see notices/content/README.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the .md file")
        parser.add_argument("--publish", action="store_true", help="publish it under its effective date")
        parser.add_argument(
            "--historical",
            action="store_true",
            help="with --publish: record a version that already took effect (the date may be "
            "in the past and no notice period applies)",
        )

    def handle(self, *args, file, publish, historical, **options):
        try:
            source = parse_policy_file(file)
            result = policy_import(source=source, publish=publish, historical=historical)
        except (PolicySourceError, PolicyImportRefused) as exc:
            raise CommandError(str(exc)) from None
        version = result.version
        self.stdout.write(
            f"{file}: version effective {version.effective_date.isoformat()} "
            f"({len(source.sections)} sections): {result.outcome.value}"
        )
