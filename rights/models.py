"""Privacy requests, the deadline table they are timed by, and their append-only history."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyError, AppendOnlyQuerySet

from .choices import CLOSED_STATUSES, OPEN_STATUSES, Law, RequestType, Status, Unit
from .tokens import status_token


class DeadlineRule(models.Model):
    """How long the law gives us for one type of request in one jurisdiction.

    A rule with no request type is the jurisdiction's default; "other" is everywhere else.
    """

    jurisdiction = models.CharField(_("jurisdiction"), max_length=20, choices=Law)
    request_type = models.CharField(
        _("request type"),
        max_length=30,
        choices=RequestType,
        blank=True,
        help_text=_("Empty: every type without a rule of its own."),
    )
    acknowledge_within = models.PositiveSmallIntegerField(
        _("acknowledge within"), null=True, blank=True, help_text=_("Empty: no separate acknowledgement deadline.")
    )
    acknowledge_unit = models.CharField(
        _("acknowledgement unit"), max_length=20, choices=Unit, default=Unit.CALENDAR_DAYS
    )
    respond_within = models.PositiveSmallIntegerField(_("respond within"))
    respond_unit = models.CharField(_("response unit"), max_length=20, choices=Unit, default=Unit.CALENDAR_DAYS)
    extension = models.PositiveSmallIntegerField(
        _("extension"), default=0, help_text=_("How much one extension adds; 0: no extension allowed.")
    )
    extension_unit = models.CharField(_("extension unit"), max_length=20, choices=Unit, default=Unit.CALENDAR_DAYS)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["jurisdiction", "request_type"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "request_type"], name="rights_one_rule_per_type"),
        ]

    def __str__(self):
        kind = self.get_request_type_display() if self.request_type else _("any request")
        return f"{self.get_jurisdiction_display()}: {kind}"

    @property
    def extension_allowed(self) -> bool:
        return self.extension > 0


class PrivacyRequestQuerySet(models.QuerySet):
    def verified(self):
        return self.exclude(status=Status.RECEIVED)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, *, today: datetime.date):
        return self.open().filter(due_date__lt=today)

    def due_within(self, *, today: datetime.date, days: int):
        return self.open().filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))

    def unverified_before(self, moment: datetime.datetime):
        return self.filter(status=Status.RECEIVED, received_at__lt=moment)

    def closed_before(self, moment: datetime.datetime):
        return self.filter(status__in=CLOSED_STATUSES, closed_at__lt=moment)

    def for_address(self, email_key: str):
        return self.filter(email_key=email_key)


class PrivacyRequest(models.Model):
    """One request from a data subject (or their authorised agent), from the form."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    request_type = models.CharField(_("request type"), max_length=30, choices=RequestType)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20, choices=Law)
    # Where the request was made (the visitor's location, on the server), never a posted
    # field; empty when unknown. Its deadline applies too when it is sooner (DESIGN §5).
    located_jurisdiction = models.CharField(
        _("jurisdiction where the request was made"), max_length=20, choices=Law, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), max_length=254)
    email_key = models.CharField(max_length=254, db_index=True, editable=False)
    details = models.TextField(_("details"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    agent_name = models.CharField(_("authorised agent"), max_length=200, blank=True)
    agent_email = models.EmailField(_("agent's email address"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.RECEIVED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="privacy_requests",
    )
    # Verification: only a hash of the random token is kept, so the database cannot mint links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Where the request came from: the network (as consent records keep it), never the IP.
    network = models.CharField(_("network"), max_length=50, blank=True)
    # The browser's consent id, read from its signed cookie on the server; empty without one.
    consent_id = models.CharField(_("browser consent id"), max_length=32, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledge_by = models.DateField(_("acknowledge by"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    # The rule as it stood at verification: editing the table never moves a running deadline.
    rule_summary = models.CharField(_("deadline rule applied"), max_length=200, blank=True)
    extension = models.PositiveSmallIntegerField(_("extension available"), default=0)
    extension_unit = models.CharField(_("extension unit"), max_length=20, choices=Unit, blank=True)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    export = models.JSONField(_("export of what this site holds"), null=True, blank=True, editable=False)
    exported_at = models.DateTimeField(_("export made"), null=True, blank=True)
    erasure = models.JSONField(_("what was erased"), null=True, blank=True, editable=False)

    objects = PrivacyRequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "received_at"]
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        indexes = [models.Index(fields=["status", "due_date"], name="rights_queue_idx")]

    def __str__(self):
        return f"{self.reference} · {self.get_request_type_display()}"

    def get_absolute_url(self):
        return reverse("rights:status", kwargs={"token": status_token(self)})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def by_agent(self) -> bool:
        return bool(self.agent_email)

    @property
    def can_extend(self) -> bool:
        return self.is_open and self.extension > 0 and self.extended_at is None and self.due_date is not None


class HistoryQuerySet(AppendOnlyQuerySet):
    records = "a request's history rows"
    removed_by = "prune_requests, with the request"


class Transition(models.Model):
    """One change of status: from, to, who (empty: the requester or the site) and when."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=Status, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self):
        # Shown to privacy officers (the history inline): the statuses' names, not their codes.
        return f"{self.get_from_status_display() if self.from_status else '∅'} → {self.get_to_status_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("a transition is never edited")
        super().save(*args, **kwargs)


class Note(models.Model):
    """An internal note on a request; never shown to the requester."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT)
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return self.text[:60]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("a note is never edited: add another")
        super().save(*args, **kwargs)


class Reply(models.Model):
    """A message sent to the requester, in their language; shown on their status page."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.PROTECT
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    with_export = models.BooleanField(_("export attached"), default=False)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("a reply was sent as it is: it is never edited")
        super().save(*args, **kwargs)
