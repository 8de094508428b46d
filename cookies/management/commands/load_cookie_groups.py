from django.core.management.base import BaseCommand

from cookies import services


class Command(BaseCommand):
    help = (
        "Create the missing launch cookie groups, cookies and consent rules, then clear the cached groups; repeatable."
    )

    def handle(self, *args, **options):
        result = services.cookie_groups_load()
        self.stdout.write(
            f"cookie groups created: {result.groups_created}; cookies created: {result.cookies_created}; "
            f"consent rules created: {result.rules_created}"
        )
