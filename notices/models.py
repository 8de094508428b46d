"""The policy as data: versions, their sections and the regions whose addenda they carry."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rendering import render_markdown

CODE_LIST_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def parse_code_list(value: str) -> list[str]:
    """Split 'AT, BE  US-CA' into ['AT', 'BE', 'US-CA'] (commas or spaces)."""
    return [code for code in re.split(r"[\s,]+", value.upper()) if code]


def validate_code_list(value: str) -> None:
    bad = [code for code in parse_code_list(value) if not CODE_LIST_RE.match(code)]
    if bad:
        raise ValidationError(_("Not ISO 3166 codes: %(codes)s"), params={"codes": ", ".join(bad)}, code="invalid")


class Jurisdiction(models.Model):
    """A region with its own addendum, and the places it covers."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    countries = models.TextField(
        _("countries"),
        blank=True,
        validators=[validate_code_list],
        help_text=_("ISO 3166-1 alpha-2 codes, separated by spaces or commas."),
    )
    subdivisions = models.TextField(
        _("subdivisions"),
        blank=True,
        validators=[validate_code_list],
        help_text=_("ISO 3166-2 codes such as US-CA, separated by spaces or commas."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self):
        return self.name

    @property
    def country_codes(self) -> list[str]:
        return parse_code_list(self.countries)

    @property
    def subdivision_codes(self) -> list[str]:
        return parse_code_list(self.subdivisions)


class PolicyVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=PolicyVersion.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=PolicyVersion.Status.DRAFT)

    def live(self):
        """Published and not withdrawn: the versions that are or will be in force."""
        return self.published().filter(withdrawal__isnull=True)

    def in_force(self, *, on):
        """Published versions already effective on the given date, newest first."""
        return self.live().filter(effective_date__lte=on).order_by("-effective_date")

    def upcoming(self, *, on):
        return self.live().filter(effective_date__gt=on).order_by("effective_date")

    def latest_live(self):
        """The newest version that is or will be in force, with text: what a draft builds on."""
        return self.live().with_text().order_by("-effective_date").first()

    def with_text(self):
        return self.filter(sections__isnull=False).distinct()


class PolicyVersion(models.Model):
    """One edition of the policy, identified publicly by its effective date."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    effective_date = models.DateField(_("effective date"))
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    material = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("Subscribers are notified before a material change takes effect."),
    )
    summary = models.TextField(_("change summary"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The lineage of a version is part of its record: the admin compares against it, and for
    # a published version it says where the text came from. SET_NULL would rewrite a published
    # row (which the trigger of migration 0003 refuses, a 500). RESTRICT keeps the source while
    # any version copied from it stays, and the admin says so; a draft deleted together with
    # the drafts started from it goes, and so does every ordinary draft.
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        help_text=_("The version this draft started from; the admin compares the two."),
    )
    source_sha256 = models.CharField(
        _("source checksum"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 of the imported source file, so an identical re-import is a no-op."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "-pk"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        permissions = [("publish_policyversion", _("Can publish a policy version"))]
        constraints = [
            # At most one published version per effective date: the date is its public name.
            models.UniqueConstraint(
                fields=["effective_date"],
                condition=Q(status="published"),
                name="notices_one_published_version_per_date",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="notices_published_has_timestamp",
            ),
        ]

    def __str__(self):
        return f"{self.effective_date.isoformat()} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("notices:version_detail", kwargs={"effective_date": self.effective_date})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_withdrawn(self) -> bool:
        return self.is_published and Withdrawal.objects.filter(version_id=self.pk).exists()


class Section(models.Model):
    """A numbered part of a version; with a jurisdiction it is that region's addendum."""

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    anchor = models.SlugField(
        _("anchor"),
        max_length=80,
        help_text=_("Stable fragment identifier used in links: /privacy/#anchor."),
    )
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    body = models.TextField(_("body (Markdown)"))
    body_html = models.TextField(_("body (HTML)"), blank=True, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sections",
        help_text=_("Set this to make the section that region's addendum."),
    )

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "anchor"], name="notices_unique_anchor"),
        ]

    def __str__(self):
        return self.heading or self.anchor

    def save(self, *args, **kwargs):
        # The HTML is derived from this row's own Markdown, per language, so it is computed
        # here: every write path (admin, importer, shell) then stores a matching pair and
        # no request ever renders Markdown.
        for code in settings.MODELTRANSLATION_LANGUAGES:
            suffix = code.replace("-", "_")
            source = getattr(self, f"body_{suffix}", None) or ""
            setattr(self, f"body_html_{suffix}", render_markdown(source) if source else "")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.version.get_absolute_url()}#{self.anchor}"

    @property
    def is_addendum(self) -> bool:
        return self.jurisdiction_id is not None


class VersionEventQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-at", "-pk")


class VersionEvent(models.Model):
    """One step in a version's life, recorded by the service that took it.

    Kept in its own table, never on the version row: a published version's row is immutable
    (migration 0003), while its history (a withdrawal, say) still grows. The newest event of a
    draft is also its edit token: an editor saves only over the draft they opened.
    """

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        EDITED = "edited", _("Edited")
        REBASED = "rebased", _("Rebased")
        REQUESTED = "requested", _("Publication requested")
        PUBLISHED = "published", _("Approved and published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # For "edited": [{"section": label, "language": code, "diff": unified diff}] of what changed.
    changes = models.JSONField(_("changes"), default=list, blank=True)

    objects = VersionEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("version event")
        verbose_name_plural = _("version events")

    def __str__(self):
        return f"{self.version} · {self.get_kind_display()}"


class Withdrawal(models.Model):
    """A published version withdrawn before it took effect: it never will.

    The version row stays as published (its text is still public, at its address, marked
    withdrawn); this row is what takes it out of the versions that can come into force.
    """

    version = models.OneToOneField(
        PolicyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="withdrawal"
    )
    reason = models.TextField(_("reason"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), default=timezone.now)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")

    def __str__(self):
        return str(self.version)


class SectionTranslation(models.Model):
    """What one section's translation into one language was translated from, and who said so.

    The English heading and body are kept as they stood when the translation was written
    (imported, edited, or confirmed by a translator): comparing them with the section's
    current English is what makes a translation *outdated*, and shows what changed since.
    Rows of a published version are append-only in the database (migration 0008).
    """

    class How(models.TextChoices):
        IMPORTED = "imported", _("Imported from a file")
        EDITED = "edited", _("Edited in the admin")
        CONFIRMED = "confirmed", _("Marked as up to date")

    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=10)
    source_sha256 = models.CharField(_("English checksum"), max_length=64)
    source_heading = models.CharField(_("English heading translated"), max_length=300, blank=True)
    source_body = models.TextField(_("English body translated"))
    how = models.CharField(_("recorded by way of"), max_length=20, choices=How)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_file_sha256 = models.CharField(_("source file checksum"), max_length=64, blank=True)

    class Meta:
        ordering = ["section", "language"]
        verbose_name = _("section translation record")
        verbose_name_plural = _("section translation records")
        constraints = [
            models.UniqueConstraint(fields=["section", "language"], name="notices_one_translation_record"),
        ]

    def __str__(self):
        return f"{self.section} [{self.language}]"
