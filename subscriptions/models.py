"""Subscribers, the campaign that announces a material version, and one delivery per pair."""

import functools
import hashlib
import hmac
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import addresses
from core.models import AppendOnlyError, AppendOnlyQuerySet
from notices.models import PolicyVersion

# An unquoted local part (RFC 5322 dot-atom): quoting such a local part changes nothing.
# One mailbox, one subscriber: the project's one rule for keying an address (core.addresses),
# re-exported here for this app's callers and its migration.
normalise_email = addresses.normalise_email


class SubscriberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)


class PendingQuerySet(models.QuerySet):
    def live(self, *, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def expired(self, *, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class PendingSubscription(models.Model):
    """An address waiting for its confirmation link to be followed: the only place it is kept.

    Deleted when the link is followed (with every other pending request of the mailbox), when
    the email could not be sent, and when the link expires (see services.pending_prune).
    """

    # What the confirmation task carries instead of the address (its arguments are stored).
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), max_length=254)
    email_key = models.CharField(max_length=254, db_index=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # The hash of the link's secret, set when the email is composed (tokens.py).
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    objects = PendingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending subscription")
        verbose_name_plural = _("pending subscriptions")
        default_permissions = ()

    def __str__(self):
        return f"{self.reference}"


class Subscriber(models.Model):
    """A confirmed address (double opt-in: before the link is followed, only a pending row)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("email address"), max_length=254)
    email_key = models.CharField(max_length=254, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.CONFIRMED)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The hash of the link that last confirmed it: pressing that button again is harmless,
    # and after an unsubscribe the same link answers 410 instead of resubscribing.
    confirmed_by = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        indexes = [models.Index(fields=["status", "id"], name="subscriptions_active_idx")]

    def __str__(self):
        return self.email

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.CONFIRMED


class SubscriptionEventQuerySet(AppendOnlyQuerySet):
    records = "a subscription's history rows"
    removed_by = "an erasure, with the subscriber"


class SubscriptionEvent(models.Model):
    """One confirmation or unsubscribe of an address, kept for as long as the subscriber is.

    The subscriber row holds only the latest state, so without these a re-subscription
    would erase when the earlier consent was given and withdrawn, and the notices sent under
    it would look as if sent before any consent. Append-only; an erasure deletes them with
    the subscriber.
    """

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed from the mailbox")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Via(models.TextChoices):
        LINK = "link", _("A link in an email")
        ADMIN = "admin", _("The admin")
        MIGRATION = "migration", _("Recorded before this history was kept")

    subscriber = models.ForeignKey(
        "Subscriber", verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    via = models.CharField(_("through"), max_length=20, choices=Via)
    at = models.DateTimeField(_("when"), default=timezone.now)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    objects = SubscriptionEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("subscription event")
        verbose_name_plural = _("subscription events")
        default_permissions = ()

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("a subscription event is never edited")
        super().save(*args, **kwargs)


class UnsubscribeLink(models.Model):
    """One unsubscribe link as sent in one notice: the hash of its secret, whose it is, until when.

    A new link for every message (a message re-sent after a crash gets another one, and both
    work), so no raw token is ever stored; expired links are swept by each campaign run.
    """

    token_hash = models.CharField(max_length=64, primary_key=True)
    subscriber = models.ForeignKey("Subscriber", on_delete=models.CASCADE, related_name="unsubscribe_links")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("unsubscribe link")
        verbose_name_plural = _("unsubscribe links")
        default_permissions = ()

    def __str__(self):
        return f"{self.token_hash[:12]}…"


class CampaignQuerySet(models.QuerySet):
    def with_counts(self):
        """Annotate each campaign with how many deliveries are in each state."""
        counts = {
            f"{status.value}_count": Count("deliveries", filter=Q(deliveries__status=status))
            for status in Delivery.Status
        }
        return self.annotate(total_count=Count("deliveries"), **counts)

    def unfinished(self):
        return self.exclude(status=Campaign.Status.DONE)


class Campaign(models.Model):
    """One message about one version: its change notice, sent once to every subscriber, or the
    correction sent, when the version is withdrawn, to those who were sent its notice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Change notice")
        CORRECTION = "correction", _("Correction: version withdrawn")

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="campaigns"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.NOTICE)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.QUEUED)
    # Which queued run may work on the campaign; a run that finds another token was superseded.
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    populated_at = models.DateTimeField(_("recipients listed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(fields=["version", "kind"], name="subscriptions_one_campaign_per_kind"),
        ]

    def __str__(self):
        if self.kind == self.Kind.CORRECTION:
            return str(_("Correction for %(date)s") % {"date": self.version.effective_date.isoformat()})
        return str(_("Change notice for %(date)s") % {"date": self.version.effective_date.isoformat()})


class DeliveryQuerySet(models.QuerySet):
    def due(self, *, now):
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)

    def stale_claims(self, *, before):
        return self.filter(status=Delivery.Status.SENDING, claimed_at__lt=before)


class Delivery(models.Model):
    """One subscriber's copy of one campaign; the unique pair is what makes it exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Unsubscribed before sending")
        WITHDRAWN = "withdrawn", _("Not sent: the version was withdrawn")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How often a worker died while this message was on the wire (see README, "the guarantee").
    interrupted = models.PositiveSmallIntegerField(_("interrupted sends"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "subscriber"], name="subscriptions_one_per_pair"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="subscriptions_claim_idx"),
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.subscriber_id} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        """The Message-ID header: the same for every attempt, so a resend can be recognised.

        A keyed hash of the pair (HMAC under a key derived from SECRET_KEY), so the id tells a
        recipient nothing: not how many subscribers there are, nor which campaign this is.
        """
        mac = _message_id_mac(settings.SECRET_KEY).copy()
        mac.update(f"{self.campaign_id}:{self.subscriber_id}".encode())
        # 128 bits, spelt in 16 letters (a-p) so that no digit of any kind appears in it.
        local = mac.hexdigest()[:32].translate(HEX_AS_LETTERS)
        return f"<{local}@{message_id_domain()}>"


MESSAGE_ID_SALT = "subscriptions.message-id.v1"
HEX_AS_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


@functools.lru_cache(maxsize=4)
def _message_id_mac(secret_key: str):
    # Django's salted_hmac(MESSAGE_ID_SALT, value, secret_key, algorithm="sha256"), its key
    # derivation done once instead of for every message of a campaign.
    key = hashlib.sha256((MESSAGE_ID_SALT + secret_key).encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def message_id_domain() -> str:
    return _domain_of(settings.DEFAULT_FROM_EMAIL)


@functools.lru_cache(maxsize=4)
def _domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"
