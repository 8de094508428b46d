import datetime

from django.core.management.base import BaseCommand, CommandError

from notices.models import PolicyVersion
from subscriptions import services
from subscriptions.models import Campaign


class Command(BaseCommand):
    help = (
        "Queue the change notice for the published material version effective on DATE, or resume "
        "its campaign if it exists (nothing already sent is sent again)."
    )

    def add_arguments(self, parser):
        parser.add_argument("date", help="effective date of the version, YYYY-MM-DD")

    def handle(self, *args, date, **options):
        try:
            effective_date = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"not a date (YYYY-MM-DD): {date!r}") from None
        # The published version if there is one; otherwise a draft, so the refusal can say why.
        version = (
            PolicyVersion.objects.published().filter(effective_date=effective_date).first()
            or PolicyVersion.objects.filter(effective_date=effective_date).first()
        )
        if version is None:
            raise CommandError(f"no version is effective on {effective_date.isoformat()}")
        campaign = Campaign.objects.filter(version=version, kind=Campaign.Kind.NOTICE).first()
        if campaign is not None:
            services.campaign_resume(campaign=campaign)
            self.stdout.write(f"campaign for {effective_date.isoformat()} queued again")
            return
        try:
            services.campaign_create(version=version)
        except services.CampaignRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"campaign for {effective_date.isoformat()} created and queued")
