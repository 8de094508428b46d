"""Every write about subscribers and campaigns: subscribing, confirming, unsubscribing, notifying."""

import datetime
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.models import PolicyVersion

from . import ratelimit, tasks, tokens
from .delivery import campaign_schedule
from .emails import confirmation_message
from .models import (
    Campaign,
    Delivery,
    PendingSubscription,
    Subscriber,
    SubscriptionEvent,
    UnsubscribeLink,
    normalise_email,
)
from .tokens import TokenExpired

logger = logging.getLogger(__name__)


class CampaignRefused(Exception):
    """Only a published, material version has a change notice."""


def subscription_request(*, email: str, language: str) -> bool:
    """Email a confirmation link for this address, unless it asked too often this hour.

    The caller answers the same either way, so the response never tells whether an address
    is known. Until the link is followed the address lives only in a PendingSubscription row
    that expires with the link; the task that emails it carries the row's opaque reference.
    """
    pending_prune()
    if not ratelimit.allow(kind="address", value=normalise_email(email), limit=settings.SUBSCRIPTIONS_RATE_PER_ADDRESS):
        logger.info("subscription request rate-limited for one address")
        return False
    now = timezone.now()
    expires_at = now + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE)
    pending = PendingSubscription.objects.create(
        email=email, email_key=normalise_email(email), language=language, created_at=now, expires_at=expires_at
    )
    transaction.on_commit(partial(tasks.confirmation_send.enqueue, str(pending.reference)))
    # Deleted when it expires even if nobody asks for anything again (the prune also runs on
    # every request and every confirmation, so a stopped worker only delays it).
    transaction.on_commit(partial(tasks.pending_prune.using(run_after=expires_at).enqueue))
    return True


def confirmation_send(*, reference: str) -> str:
    """Issue the link of a pending subscription and email it; what the confirmation task does.

    The link's secret is made here, in the worker, and only its hash is stored, so neither the
    address nor the token ever reaches the task's stored arguments or result. If the email
    cannot be sent, the pending address is deleted at once (its link was never delivered).
    """
    pending = PendingSubscription.objects.live().filter(reference=reference).first()
    if pending is None:
        return "gone"  # confirmed through an earlier link, or expired
    token, token_hash = tokens.issue(salt=tokens.CONFIRM_SALT)
    PendingSubscription.objects.filter(pk=pending.pk).update(token_hash=token_hash)
    try:
        confirmation_message(email=pending.email, language=pending.language, token=token).send()
    except Exception as exc:
        PendingSubscription.objects.filter(pk=pending.pk).delete()
        # The exception's text may hold the address (a refused recipient): name its type only,
        # and raise without it, so neither the log nor the task's traceback keeps it.
        logger.warning("confirmation email not sent (%s); its pending request was deleted", type(exc).__name__)
        raise ConfirmationNotSent(type(exc).__name__) from None
    return "sent"


class ConfirmationNotSent(Exception):
    """The confirmation email could not be sent (the cause's type only, never the address)."""


def pending_prune() -> int:
    """Delete every pending subscription whose link has expired; returns how many."""
    count, _per_model = PendingSubscription.objects.expired().delete()
    return count


@dataclass(frozen=True)
class ConfirmLink:
    """What a genuine confirmation link points at: a request still pending, or the subscriber it made."""

    pending: PendingSubscription | None = None
    subscriber: Subscriber | None = None


def confirm_link_find(*, token: str) -> ConfirmLink:
    """Find what a confirmation link stands for; TokenInvalid (400) or TokenExpired (410) if nothing.

    A link already followed answers with its subscriber while they stay subscribed, so pressing
    the button twice is harmless; after an unsubscribe, or once expired, it is refused.
    """
    token_hash = tokens.read(token, salt=tokens.CONFIRM_SALT, max_age=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE)
    pending_prune()
    pending = PendingSubscription.objects.live().filter(token_hash=token_hash).first()
    if pending is not None:
        return ConfirmLink(pending=pending)
    subscriber = Subscriber.objects.active().filter(confirmed_by=token_hash).first()
    if subscriber is not None:
        return ConfirmLink(subscriber=subscriber)
    raise TokenExpired


def subscription_confirm(*, pending: PendingSubscription) -> Subscriber:
    """Subscribe the pending address (or update its language) and forget every pending request of it."""
    now = timezone.now()
    key = pending.email_key
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email_key=key).first()
        if (
            subscriber is not None
            and subscriber.unsubscribed_at is not None
            and subscriber.unsubscribed_at > pending.created_at
        ):
            # A link sent before the last unsubscribe must not undo it.
            PendingSubscription.objects.filter(pk=pending.pk).delete()
            raise TokenExpired
        if subscriber is None:
            subscriber, _created = Subscriber.objects.get_or_create(
                email_key=key,
                defaults={"email": pending.email, "language": pending.language, "confirmed_at": now},
            )
        if not subscriber.is_active:
            subscriber.confirmed_at = now
        subscriber.email = pending.email
        subscriber.language = pending.language
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.unsubscribed_at = None
        subscriber.confirmed_by = pending.token_hash or ""
        subscriber.save()
        SubscriptionEvent.objects.create(
            subscriber=subscriber,
            kind=SubscriptionEvent.Kind.CONFIRMED,
            via=SubscriptionEvent.Via.LINK,
            at=now,
            language=pending.language,
        )
        # The address now lives in the subscriber row only.
        PendingSubscription.objects.filter(email_key=key).delete()
    return subscriber


def unsubscribe_by_link(*, token: str) -> None:
    """Unsubscribe whoever the link was sent to; a genuine link whose subscriber is gone does nothing.

    TokenInvalid (400) for a forged link, TokenExpired (410) for one older than
    SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE.
    """
    token_hash = unsubscribe_link_check(token=token)
    link = UnsubscribeLink.objects.filter(token_hash=token_hash).first()
    if link is not None:
        subscriber_unsubscribe(subscriber_id=link.subscriber_id)


def unsubscribe_link_check(*, token: str) -> str:
    """The link's stored hash, or TokenInvalid / TokenExpired as unsubscribing would raise."""
    return tokens.read(token, salt=tokens.UNSUBSCRIBE_SALT, max_age=settings.SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE)


def subscriber_unsubscribe(*, subscriber_id: int, via: str = SubscriptionEvent.Via.LINK) -> None:
    """Stop every notice to this subscriber, including any not yet sent; idempotent."""
    now = timezone.now()
    with transaction.atomic():
        changed = Subscriber.objects.filter(pk=subscriber_id, status=Subscriber.Status.CONFIRMED).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now
        )
        if changed:
            SubscriptionEvent.objects.create(
                subscriber_id=subscriber_id, kind=SubscriptionEvent.Kind.UNSUBSCRIBED, via=via, at=now
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
    if campaign.kind == Campaign.Kind.NOTICE and campaign.version.is_withdrawn:
        # Never make a withdrawn version's notice sendable again: a worker still sending the
        # campaign would send it, and the correction's recipients were listed at withdrawal.
        return 0
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
