"""Every write about subscribers and campaigns: subscribing, confirming, unsubscribing, notifying."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import PolicyVersion

from . import ratelimit, tasks
from .delivery import campaign_schedule
from .models import Campaign, Delivery, Subscriber, normalise_email
from .tokens import ConfirmRequest, TokenExpired

logger = logging.getLogger(__name__)


class CampaignRefused(Exception):
    """Only a published, material version has a change notice."""


def subscription_request(*, email: str, language: str) -> bool:
    """Email a confirmation link for this address, unless it asked too often this hour.

    The caller answers the same either way, so the response never tells whether an address
    is known; nothing is stored until the link is followed (double opt-in).
    """
    if not ratelimit.allow(kind="address", value=normalise_email(email), limit=settings.SUBSCRIPTIONS_RATE_PER_ADDRESS):
        logger.info("subscription request rate-limited for one address")
        return False
    transaction.on_commit(partial(tasks.confirmation_send.enqueue, email, language))
    return True


def subscription_confirm(*, request: ConfirmRequest) -> Subscriber:
    """Subscribe the address in the link (or update its language); idempotent."""
    now = timezone.now()
    key = normalise_email(request.email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email_key=key).first()
        if (
            subscriber is not None
            and subscriber.unsubscribed_at is not None
            and subscriber.unsubscribed_at.timestamp() > request.issued_at
        ):
            # A link sent before the last unsubscribe must not undo it.
            raise TokenExpired
        if subscriber is None:
            subscriber, _created = Subscriber.objects.get_or_create(
                email_key=key,
                defaults={"email": request.email, "language": request.language, "confirmed_at": now},
            )
        if not subscriber.is_active:
            subscriber.confirmed_at = now
        subscriber.email = request.email
        subscriber.language = request.language
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.unsubscribed_at = None
        subscriber.save()
    return subscriber


def subscriber_unsubscribe(*, subscriber_id: int) -> None:
    """Stop every notice to this subscriber, including any not yet sent; idempotent."""
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.CONFIRMED).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
        Delivery.objects.filter(subscriber_id=subscriber_id, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CANCELLED
        )


def campaign_create(*, version: PolicyVersion) -> Campaign:
    """Create the change notice for a published material version and queue it on commit."""
    if not version.is_published:
        raise CampaignRefused(_("Only a published version can be announced."))
    if not version.material:
        raise CampaignRefused(_("Only a material change is announced to subscribers."))
    campaign, created = Campaign.objects.get_or_create(version=version, kind=Campaign.Kind.NOTICE)
    if created:
        transaction.on_commit(partial(campaign_schedule, campaign_id=campaign.pk))
    return campaign


def campaign_resume(*, campaign: Campaign) -> None:
    """Queue a campaign again, e.g. after its workers were lost; never sends anything twice."""
    campaign_schedule(campaign_id=campaign.pk)


def campaign_retry_failed(*, campaign: Campaign, deliveries=None) -> int:
    """Give the campaign's failed deliveries (or those among `deliveries`) fresh attempts; queue it."""
    rows = campaign.deliveries.all() if deliveries is None else deliveries.filter(campaign=campaign)
    with transaction.atomic():
        count = rows.filter(status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        if count:
            campaign_schedule(campaign_id=campaign.pk)
    return count


def campaign_correct(*, version: PolicyVersion) -> Campaign | None:
    """A withdrawn version: stop its notice, and correct it for everyone who was sent it.

    Runs inside the withdrawal's transaction. Pending notices are never sent; those sent,
    or on the wire at this moment (a claimed row may have reached the relay), get one
    correction each, queued on commit through the same delivery machinery (same guarantee).
    """
    notice = Campaign.objects.select_for_update().filter(version=version, kind=Campaign.Kind.NOTICE).first()
    if notice is None:
        return None
    now = timezone.now()
    notice.deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.WITHDRAWN)
    if notice.populated_at is None:
        # Not listed yet: nobody was sent it, and nobody will be listed now.
        Campaign.objects.filter(pk=notice.pk).update(populated_at=now)
    correction, created = Campaign.objects.get_or_create(
        version=version, kind=Campaign.Kind.CORRECTION, defaults={"populated_at": now}
    )
    if created:
        reached = (
            notice.deliveries.filter(status__in=[Delivery.Status.SENT, Delivery.Status.SENDING])
            .filter(subscriber__status=Subscriber.Status.CONFIRMED)
            .values_list("subscriber_id", flat=True)
        )
        Delivery.objects.bulk_create(
            [Delivery(campaign=correction, subscriber_id=pk, next_attempt_at=now) for pk in reached.iterator()],
            ignore_conflicts=True,
        )
        transaction.on_commit(partial(campaign_schedule, campaign_id=correction.pk))
    return correction
