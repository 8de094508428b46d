"""Proof of consent: one append-only row per choice, and the details the package lacks."""

import re

from cookie_consent.models import Cookie
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyError, AppendOnlyQuerySet

PLACE_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


class ConsentRecordQuerySet(AppendOnlyQuerySet):
    records = "consent records"
    removed_by = "prune_consents"

    def _delete_pruned(self):
        # The one path that removes rows; services.consents_prune holds the database grant.
        return models.QuerySet.delete(self)

    def for_consent_id(self, consent_id: str):
        return self.filter(consent_id=consent_id).order_by("-created_at", "-pk")

    def since(self, moment):
        return self.filter(created_at__gte=moment)

    def older_than(self, moment):
        return self.filter(created_at__lt=moment)

    def in_export_order(self):
        return self.order_by("created_at", "pk")


class ConsentRecord(models.Model):
    """What one browser chose, when, under which notice, and how: never edited."""

    class Source(models.TextChoices):
        BANNER = "banner", _("Banner")
        SETTINGS = "settings", _("Settings page")
        GPC = "gpc", _("Global Privacy Control")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        UNKNOWN = "unknown", _("Form not identified")

    class Decision(models.TextChoices):
        ACCEPTED_ALL = "accepted-all", _("Accepted all")
        REJECTED_ALL = "rejected-all", _("Rejected all")
        PARTIAL = "partial", _("Partial")

    consent_id = models.CharField(_("consent id"), max_length=32, db_index=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision)
    # {"analytics": {"accepted": true, "version": "2026-…"}, …}; accepted is null for a
    # group the visitor has not decided on yet (a GPC record before any choice).
    groups = models.JSONField(_("decision per group"))
    policy_version = models.DateField(_("policy in force"), null=True, blank=True)
    jurisdictions = models.CharField(
        _("jurisdictions where the visitor is"),
        max_length=100,
        blank=True,
        help_text=_("Codes of the regions whose law applies at the visitor's location, comma-separated."),
    )
    location_source = models.CharField(_("location source"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="")
    subdivision = models.CharField(_("subdivision"), max_length=6, blank=True, default="")
    shown = models.CharField(
        _("addenda shown"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("Codes of the addenda on the page where the choice was made, comma-separated."),
    )
    consent_model = models.CharField(_("consent model"), max_length=10)
    gpc = models.BooleanField(_("GPC signal"), default=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    user_agent = models.CharField(_("user agent (truncated)"), max_length=200, blank=True)
    ip_prefix = models.CharField(
        _("network (truncated address)"),
        max_length=50,
        blank=True,
        help_text=_("IPv4 /24 or IPv6 /48; the full address is never stored."),
    )

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        indexes = [models.Index(fields=["consent_id", "created_at"], name="cookies_consent_id_time")]

    def __str__(self):
        return f"{self.consent_id} {self.created_at:%Y-%m-%d %H:%M:%S} {self.source}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("consent records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("consent records are removed only by prune_consents")

    # Sorted: PostgreSQL's jsonb does not keep the order in which keys were written.
    @property
    def accepted(self) -> list[str]:
        return sorted(name for name, value in self.groups.items() if value.get("accepted") is True)

    @property
    def declined(self) -> list[str]:
        return sorted(name for name, value in self.groups.items() if value.get("accepted") is False)


class PruneGrant(models.Model):
    """A row that exists only inside a pruning transaction: the database triggers allow
    deleting consent records older than its cutoff, and nothing else."""

    cutoff = models.DateTimeField()
    # Names grant 0, which cannot exist (the check below): the deferred foreign key fails
    # the commit of any transaction still holding a grant, so a grant never outlives the
    # transaction that made it (cookies migration 0004).
    seal = models.ForeignKey(
        "self", on_delete=models.DO_NOTHING, default=0, editable=False, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("prune grant")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(pk__gt=0) & Q(seal=0), name="cookies_prunegrant_never_committed"),
        ]

    def __str__(self):
        return f"prune before {self.cutoff.isoformat()}"


class CookieDetail(models.Model):
    """How long a cookie lives; django-cookie-consent's Cookie has no such field."""

    cookie = models.OneToOneField(Cookie, verbose_name=_("cookie"), on_delete=models.CASCADE, related_name="detail")
    lifetime_days = models.PositiveIntegerField(
        _("lifetime in days"), null=True, blank=True, help_text=_("Empty: until the browser closes.")
    )

    class Meta:
        verbose_name = _("cookie detail")
        verbose_name_plural = _("cookie details")

    def __str__(self):
        return str(self.cookie)


# The consent types of Google Consent Mode v2, in the order Google documents them.
CONSENT_MODE_TYPES = (
    ("ad_storage", _("Advertising storage (ad_storage)")),
    ("ad_user_data", _("Advertising user data (ad_user_data)")),
    ("ad_personalization", _("Advertising personalisation (ad_personalization)")),
    ("analytics_storage", _("Analytics storage (analytics_storage)")),
    ("functionality_storage", _("Functionality storage (functionality_storage)")),
    ("personalization_storage", _("Personalisation storage (personalization_storage)")),
    ("security_storage", _("Security storage (security_storage)")),
)


class ConsentModeMapping(models.Model):
    """Which Google Consent Mode types a cookie group grants when it may run."""

    group = models.OneToOneField(
        "cookie_consent.CookieGroup",
        verbose_name=_("cookie group"),
        on_delete=models.CASCADE,
        related_name="consent_mode",
    )
    consent_types = models.JSONField(
        _("Consent Mode types"),
        default=list,
        blank=True,
        help_text=_("Granted while this group may run, else denied; a type no group grants stays denied."),
    )

    class Meta:
        verbose_name = _("Consent Mode mapping")
        verbose_name_plural = _("Consent Mode mappings")

    def __str__(self):
        return ", ".join(self.consent_types) or "—"


class ConsentRule(models.Model):
    """The consent law of some places: opt-in or opt-out, the opt-out link, GPC."""

    class Model(models.TextChoices):
        OPT_IN = "opt-in", _("Opt-in: optional cookies only after the visitor accepts them")
        OPT_OUT = "opt-out", _("Opt-out: optional cookies until the visitor refuses them")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    places = models.TextField(
        _("places"),
        blank=True,
        help_text=_("ISO 3166 codes, comma-separated: DE, US-CO. Empty: every place no rule names."),
    )
    consent_model = models.CharField(_("consent model"), max_length=10, choices=Model, default=Model.OPT_IN)
    show_link = models.BooleanField(
        _("show the opt-out link"),
        default=False,
        help_text=_("In the banner and the footer: opt out of sale and targeted advertising."),
    )
    link_label = models.CharField(
        _("link label"),
        max_length=100,
        blank=True,
        help_text=_("In English, as the law words it; shown translated where a translation exists."),
    )
    honour_gpc = models.BooleanField(
        _("honour Global Privacy Control"),
        default=True,
        help_text=_("A Sec-GPC: 1 signal turns the categories it covers off."),
    )
    ordering = models.PositiveIntegerField(_("ordering"), default=100)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("consent rule")
        verbose_name_plural = _("consent rules")
        constraints = [
            models.UniqueConstraint(fields=["places"], condition=Q(places=""), name="cookies_consentrule_one_fallback"),
        ]

    def __str__(self):
        return self.name

    @property
    def place_codes(self) -> list[str]:
        return [code.strip().upper() for code in self.places.split(",") if code.strip()]

    def clean(self):
        bad = [code for code in self.place_codes if not PLACE_RE.match(code)]
        if bad:
            raise ValidationError(
                {"places": _("Not ISO 3166 codes: %(codes)s.") % {"codes": ", ".join(bad)}},
            )
        self.places = ",".join(dict.fromkeys(self.place_codes))
        taken = {
            code: rule.name
            for rule in ConsentRule.objects.exclude(pk=self.pk)
            for code in rule.place_codes
            if code in self.place_codes
        }
        if taken:
            listed = ", ".join(f"{code} ({name})" for code, name in taken.items())
            raise ValidationError({"places": _("Already in another rule: %(codes)s.") % {"codes": listed}})
        if self.show_link and not self.link_label.strip():
            raise ValidationError({"link_label": _("A link needs a label.")})


class RetentionSchedule(models.Model):
    """The one daily pruning chain: only the queued task holding ``token`` runs and re-queues
    itself, so re-arming (``schedule_consent_pruning``) retires any older chain."""

    token = models.CharField(max_length=32)
    next_run = models.DateTimeField(_("next run"), null=True, blank=True)
    last_run = models.DateTimeField(_("last run"), null=True, blank=True)
    last_deleted = models.PositiveIntegerField(_("records deleted by the last run"), default=0)

    class Meta:
        verbose_name = _("retention schedule")
        default_permissions = ("view",)

    def __str__(self):
        return f"next {self.next_run:%Y-%m-%d %H:%M}" if self.next_run else "not scheduled"


class ConsentWeeklyCount(models.Model):
    """How many records of one week had one outcome, per region, language and source.

    Aggregates only (no consent id, no address): what the dashboard reads for complete
    weeks, so its cost follows the number of weeks and combinations, not of records.
    Written once per week by services.consent_weeks_roll_up; a week with no record gets a
    single row with count 0, so that it is not rolled up again.
    """

    week = models.DateField(_("week (Monday)"))
    region = models.CharField(_("region"), max_length=6, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, blank=True)
    count = models.PositiveIntegerField(_("records"))

    class Meta:
        verbose_name = _("weekly consent count")
        verbose_name_plural = _("weekly consent counts")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["week", "region", "language", "source", "outcome"], name="cookies_weeklycount_unique"
            ),
        ]

    def __str__(self):
        return f"{self.week} {self.region} {self.language} {self.source} {self.outcome}: {self.count}"
