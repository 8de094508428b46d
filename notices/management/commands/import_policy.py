from django.core.management.base import BaseCommand, CommandError

from notices.services import PolicyImportRefused, policy_import
from notices.source import PolicySourceError, parse_policy_file
from notices.translating import TranslationImportRefused, translation_import


class Command(BaseCommand):
    help = (
        "Import a policy version, or a translation of one (YYYY-MM-DD.<language>.md), written as Markdown "
        "with front matter (see notices/content/README.md)."
    )

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
            if source.is_translation:
                if publish:
                    raise CommandError(f"{file}: a translation is not published on its own: it joins its version")
                done = translation_import(source=source)
                self.stdout.write(
                    f"{file}: {source.language} translation of the version effective "
                    f"{done.version.effective_date.isoformat()}: {done.added} sections written, "
                    f"{done.unchanged} already there"
                )
                return
            result = policy_import(source=source, publish=publish, historical=historical)
        except (PolicySourceError, PolicyImportRefused, TranslationImportRefused) as exc:
            raise CommandError(str(exc)) from None
        version = result.version
        self.stdout.write(
            f"{file}: version effective {version.effective_date.isoformat()} "
            f"({len(source.sections)} sections): {result.outcome.value}"
        )
