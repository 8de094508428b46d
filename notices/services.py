"""Every write to the policy: drafting, publishing, importing and the launch content.

Published text never changes: every function here that edits a version first checks that
it is a draft (``draft_ensure_editable``), and the database refuses it too (migration 0003).
"""

import datetime
import json
import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import selectors, signals, translating
from .models import Jurisdiction, PolicyVersion, Section
from .source import ParsedVersion, PolicySourceError

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LAUNCH_DATA = CONTENT_DIR / "launch.json"
# Section columns copied into a new draft: everything but its identity and its version.
SECTION_COPY_EXCLUDE = {"id", "version"}


class PolicyImportRefused(Exception):
    """The import would overwrite or contradict published text."""


class PublishRefused(Exception):
    """The draft cannot be published yet; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


class PublishedVersionImmutable(Exception):
    """An attempt to change a published version, its sections or their translations."""


# --- drafts ------------------------------------------------------------------------------


def draft_ensure_editable(version: PolicyVersion) -> None:
    """Refuse to change a version that is published (as stored, not as held in memory)."""
    stored = PolicyVersion.objects.published().filter(pk=version.pk)
    if version.pk and stored.exists():
        raise PublishedVersionImmutable(
            _("The version effective %(date)s is published and cannot be changed; start a new version.")
            % {"date": version.effective_date.isoformat()}
        )


def draft_start_next(*, source: PolicyVersion | None = None, user=None) -> PolicyVersion:
    """Copy a version (by default the one in force, else the latest with text) into a draft.

    Every section and addendum is copied with all of its translations; the new draft
    remembers where it came from so the admin can show the redline against it.
    """
    if source is None:
        today = selectors.legal_today()
        source = (
            PolicyVersion.objects.in_force(on=today).with_text().first()
            or PolicyVersion.objects.with_text().order_by("-effective_date").first()
        )
    if source is None:
        raise PolicyImportRefused(_("There is no version with text to start from."))
    if not source.sections.exists():
        # An empty draft helps nobody, and the listed version it would point to is replaced
        # (deleted) when its text is imported, which the draft's lineage would forbid.
        raise PolicyImportRefused(
            _("The version effective %(date)s has no text to start from; choose a version with text.")
            % {"date": source.effective_date.isoformat()}
        )
    with transaction.atomic():
        draft = PolicyVersion.objects.create(
            effective_date=max(selectors.legal_today(), source.effective_date + datetime.timedelta(days=1)),
            copied_from=source,
        )
        for section in source.sections.order_by("order", "pk"):
            fields = {
                f.attname: getattr(section, f.attname)
                for f in Section._meta.concrete_fields
                if f.name not in SECTION_COPY_EXCLUDE
            }
            copy = Section(version=draft, **fields)
            copy.save()
            translating.translation_copy(source_section=section, target_section=copy)
    return draft


# --- publishing --------------------------------------------------------------------------


def publish_problems(version: PolicyVersion, *, historical: bool = False) -> list[str]:
    """Everything that stops this draft from being published, as sentences for an editor."""
    problems = []
    today = selectors.legal_today()
    if version.is_published:
        problems.append(_("This version is already published."))
    if not historical and version.effective_date < today:
        problems.append(_("The effective date is in the past; choose today or a later date."))
    if not version.sections.exists():
        problems.append(_("A version needs at least one section."))
    if version.material and not historical:
        if not (version.summary_en or "").strip():
            problems.append(_("A material change needs a change summary in English."))
        earliest = today + datetime.timedelta(days=settings.NOTICES_MATERIAL_NOTICE_DAYS)
        if version.effective_date < earliest:
            problems.append(
                _(
                    "A material change must be published at least %(days)d days before it takes "
                    "effect: choose an effective date on or after %(date)s."
                )
                % {"days": settings.NOTICES_MATERIAL_NOTICE_DAYS, "date": earliest.isoformat()}
            )
    return problems


def version_publish(*, version: PolicyVersion, user=None, historical: bool = False) -> PolicyVersion:
    """Publish a draft under its effective date: the one path for the admin and the importer.

    ``historical`` records a version that already took effect elsewhere (the launch content,
    recovered earlier texts): the date may be in the past and no notice period applies.
    Exactly one version is published per date; the loser of a race gets PublishRefused.
    """
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        problems = publish_problems(locked, historical=historical)
        if problems:
            raise PublishRefused(problems)
        locked.status = PolicyVersion.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = user if user is not None and user.is_authenticated else None
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        except IntegrityError:
            raise PublishRefused(
                [_("Another version is already published for %(date)s.") % {"date": locked.effective_date.isoformat()}]
            ) from None
        # Inside the transaction: what listeners write (the change notice) commits with the
        # publish, and a listener that fails rolls the publish back.
        signals.version_published.send(sender=PolicyVersion, version=locked, historical=historical)
    version.refresh_from_db()
    return version


def version_record_without_text(*, effective_date) -> tuple[PolicyVersion, bool]:
    """List an earlier published version whose text we do not hold (no text is invented)."""
    version = PolicyVersion.objects.published().filter(effective_date=effective_date).first()
    if version is not None:
        return version, False
    version = PolicyVersion.objects.create(
        effective_date=effective_date,
        status=PolicyVersion.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return version, True


# --- importing ---------------------------------------------------------------------------


class ImportOutcome(Enum):
    CREATED = "created as a draft"
    PUBLISHED = "created and published"
    FILLED = "text added to a version that was listed without it"
    UNCHANGED = "already imported; nothing changed"


@dataclass(frozen=True)
class ImportResult:
    version: PolicyVersion
    outcome: ImportOutcome


def policy_import(*, source: ParsedVersion, publish: bool = False, historical: bool = False, user=None) -> ImportResult:
    """Store a parsed version; never overwrite published text.

    * identical text already imported for that date: no-op;
    * a published version for that date with different text: refused;
    * a published version for that date without text (listed in the history): replaced by
      the imported text, published as history;
    * otherwise a new draft, published at once when asked (through version_publish).

    Translations go through notices.translating.translation_import instead.
    """
    if source.is_translation:
        raise PolicyImportRefused(f"{source.path}: a translation joins its version through translation_import")
    unknown = source.jurisdiction_codes() - set(
        Jurisdiction.objects.filter(code__in=source.jurisdiction_codes()).values_list("code", flat=True)
    )
    if unknown:
        line = next(s.line for s in source.sections if s.jurisdiction in unknown)
        raise PolicySourceError(source.path, line, f"unknown jurisdiction {sorted(unknown)[0]!r}")

    with transaction.atomic():
        published = (
            PolicyVersion.objects.published().select_for_update().filter(effective_date=source.effective_date).first()
        )
        if published is not None:
            return _import_onto_published(published, source, user=user)
        return _import_new(source, publish=publish, historical=historical, user=user)


def _import_onto_published(version: PolicyVersion, source: ParsedVersion, *, user) -> ImportResult:
    if version.source_sha256 == source.sha256:
        return ImportResult(version, ImportOutcome.UNCHANGED)
    if version.sections.exists():
        raise PolicyImportRefused(
            f"{source.path}: a different text is already published for "
            f"{source.effective_date.isoformat()}; published text is never overwritten. "
            "Import it under a new effective date instead."
        )
    # A listed version without text: its text arrives as a new row that takes its place,
    # so the rule "sections of a published version never change" holds without exception.
    draft = _new_draft(source)
    version.delete()
    version_publish(version=draft, user=user, historical=True)
    return ImportResult(draft, ImportOutcome.FILLED)


def _import_new(source: ParsedVersion, *, publish: bool, historical: bool, user) -> ImportResult:
    existing = (
        PolicyVersion.objects.drafts().filter(effective_date=source.effective_date, source_sha256=source.sha256).first()
    )
    if existing is not None and not publish:
        return ImportResult(existing, ImportOutcome.UNCHANGED)
    draft = existing or _new_draft(source)
    if not publish:
        return ImportResult(draft, ImportOutcome.CREATED)
    try:
        version_publish(version=draft, user=user, historical=historical)
    except PublishRefused as refused:
        hint = " Use --historical to record a version that already took effect." if not historical else ""
        raise PolicyImportRefused(f"{source.path}: cannot publish: {refused}{hint}") from None
    return ImportResult(draft, ImportOutcome.PUBLISHED)


def _new_draft(source: ParsedVersion) -> PolicyVersion:
    draft = PolicyVersion.objects.create(
        effective_date=source.effective_date,
        material=source.material,
        summary_en=source.summary,
        source_sha256=source.sha256,
    )
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    for parsed in source.sections:
        # save() per row (not bulk_create) so each section renders its HTML once, here.
        with override("en"):
            Section(
                version=draft,
                order=parsed.order,
                anchor=parsed.anchor,
                heading_en=parsed.heading,
                body_en=parsed.body,
                jurisdiction=jurisdictions.get(parsed.jurisdiction) if parsed.jurisdiction else None,
            ).save()
    return draft


# --- launch content ----------------------------------------------------------------------


def jurisdictions_load(entries: list[dict]) -> int:
    """Create the launch jurisdictions that are missing; never overwrite an editor's changes."""
    created = 0
    for entry in entries:
        names = {f"name_{lang.replace('-', '_')}": name for lang, name in entry["name"].items()}
        _, was_created = Jurisdiction.objects.get_or_create(
            code=entry["code"],
            defaults={
                "countries": " ".join(entry.get("countries", [])),
                "subdivisions": " ".join(entry.get("subdivisions", [])),
                "order": entry["order"],
                **names,
            },
        )
        created += was_created
    return created


def launch_data() -> dict:
    return json.loads(LAUNCH_DATA.read_text(encoding="utf-8"))
