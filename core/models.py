from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """A legal record (a consent, a request's history, a subscription's) is written once and
    removed only by its retention rule or an erasure; every app's records raise this."""


class AppendOnlyQuerySet(models.QuerySet):
    """update() and delete() refuse; a subclass names its records and what removes them.

    A cascade from the row they belong to still deletes them (Django's collector does not
    call this delete()), which is how a retention rule or an erasure takes them along.
    """

    records = "these records"
    removed_by = "their retention rule"

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.records} are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.records} are removed only by {self.removed_by}")


class RateCounter(models.Model):
    """How many attempts one (keyed-hash) client or address made in the current window.

    Counted in the database, not in a cache: the database is what every worker and every
    host shares, and its row lock makes the count exact (a cache's get-then-set is not).
    """

    key = models.CharField(_("key"), max_length=64, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    expires_at = models.DateTimeField(_("window ends"), db_index=True)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        default_permissions = ()

    def __str__(self):
        return f"{self.key[:12]}… {self.count}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker process (shown in the admin and /healthz).

    A worker writes its row every few seconds from its own loop, so a worker that is stuck or
    dead stops beating: the admin shows how long ago each one was seen.
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)
    tasks_run = models.PositiveIntegerField(_("tasks run"), default=0)
    last_problem = models.CharField(_("last problem"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        ordering = ["-last_seen_at"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.hostname}:{self.pid}"


def validate_single_line(value: str) -> None:
    # These values go into email headers (the sender's name, the subject), where a line break
    # would start a new header; Django refuses such a message, so refuse the value here first.
    if any(ch in value for ch in "\r\n\t\x00"):
        raise ValidationError(_("Use a single line, without line breaks or tabs."))


class Organisation(models.Model):
    """Who publishes the policy and sends the emails: the controller and its DPO (one row).

    Site data an editor keeps in the admin (launch values from the policy's Section H, by a
    data migration). The text fields have a column per language (core/translation.py); an
    empty translation falls back to English.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    name = models.CharField(
        _("legal name"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("The controller, as the policy names it; shown in every email's and page's footer."),
    )
    short_name = models.CharField(
        _("short name"),
        max_length=80,
        validators=[validate_single_line],
        help_text=_("How readers know it; shown as the sender of emails and in their subjects."),
    )
    postal_address = models.TextField(_("postal address"), help_text=_("One line per line of the address."))
    dpo_name = models.CharField(
        _("data protection contact"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("The Data Protection Officer's title or name, as the policy gives it."),
    )
    dpo_email = models.EmailField(_("data protection email"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="core_organisation_single_row")]

    def __str__(self):
        return self.name
