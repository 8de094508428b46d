"""This app's emails in the staff previews (core.email_previews), built from sample data.

Nothing here writes: the subscriber, the campaign and the links are unsaved stand-ins, so a
preview's links lead nowhere (a confirmation link in a preview is refused as invalid).
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notices.models import PolicyVersion

from .emails import NoticeComposer, confirmation_message
from .models import Campaign, Delivery, Subscriber

SAMPLE_ADDRESS = "reader@example.com"
SAMPLE_TOKEN = "preview-only"  # noqa: S105 (a stand-in for a link token, not a secret)
SAMPLE_VERSIONS = 20


def confirmation(language: str, sample: str | None):
    return confirmation_message(email=SAMPLE_ADDRESS, language=language, token=SAMPLE_TOKEN)


def notice_versions() -> list[tuple[str, str]]:
    """The versions a change notice can announce, newest first: drafts too, to check one before publishing."""
    versions = PolicyVersion.objects.with_text().order_by("-effective_date", "-pk")[:SAMPLE_VERSIONS]
    return [(str(v.pk), f"{v.effective_date.isoformat()} · {v.get_status_display()}") for v in versions]


def change_notice(language: str, sample: str | None):
    version = PolicyVersion.objects.filter(pk=sample).first() if sample and sample.isdigit() else None
    if version is None:
        # A fresh site with no version yet: an unsaved one, 30 days ahead.
        version = PolicyVersion(
            effective_date=timezone.localdate() + datetime.timedelta(days=30),
            material=True,
            summary="A sample summary of what changes.",
        )
    campaign = Campaign(version=version)
    delivery = Delivery(campaign=campaign, subscriber=Subscriber(email=SAMPLE_ADDRESS, language=language))
    return NoticeComposer(campaign).message(delivery, unsubscribe_token=SAMPLE_TOKEN)


def register_previews() -> None:
    from core.email_previews import register

    register("subscriptions.confirmation", _("Subscription confirmation"), confirmation, order=10)
    register("subscriptions.change_notice", _("Change notice"), change_notice, samples=notice_versions, order=20)
