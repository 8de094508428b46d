"""Every write to the policy: importing, publishing and loading the launch content."""

import json
import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from . import selectors
from .models import Jurisdiction, PolicyVersion, Section
from .source import ParsedVersion, PolicySourceError

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LAUNCH_DATA = CONTENT_DIR / "launch.json"


class PolicyImportRefused(Exception):
    """The import would overwrite or contradict published text."""


class ImportOutcome(Enum):
    CREATED = "created"
    PUBLISHED = "created and published"
    FILLED = "text added to a published version that had none"
    UNCHANGED = "already imported; nothing changed"


@dataclass(frozen=True)
class ImportResult:
    version: PolicyVersion
    outcome: ImportOutcome


def policy_import(*, source: ParsedVersion, publish: bool = False, user=None) -> ImportResult:
    """Store a parsed version; never overwrite published text.

    * identical text already imported for that date: no-op;
    * a published version for that date with different text: refused;
    * a published version for that date with no text (listed in the history only): filled;
    * otherwise a new draft, published at once when asked.
    """
    unknown = source.jurisdiction_codes() - set(
        Jurisdiction.objects.filter(code__in=source.jurisdiction_codes()).values_list("code", flat=True)
    )
    if unknown:
        line = next(s.line for s in source.sections if s.jurisdiction in unknown)
        raise PolicySourceError(source.path, line, f"unknown jurisdiction {sorted(unknown)[0]!r}")

    with transaction.atomic():
        published = (
            PolicyVersion.objects.published()
            .select_for_update()
            .filter(effective_date=source.effective_date)
            .first()
        )
        if published is not None:
            result = _import_onto_published(published, source)
        else:
            result = _import_new(source, publish=publish, user=user)
        if result.outcome is not ImportOutcome.UNCHANGED:
            transaction.on_commit(selectors.content_changed)
    return result


def _import_onto_published(version: PolicyVersion, source: ParsedVersion) -> ImportResult:
    if version.source_sha256 == source.sha256:
        return ImportResult(version, ImportOutcome.UNCHANGED)
    if version.sections.exists():
        raise PolicyImportRefused(
            f"{source.path}: a different text is already published for "
            f"{source.effective_date.isoformat()}; published text is never overwritten. "
            "Import it under a new effective date instead."
        )
    _create_sections(version, source)
    version.source_sha256 = source.sha256
    version.material = source.material
    if source.summary:
        version.summary_en = source.summary
    version.save(update_fields=["source_sha256", "material", "summary_en", "updated_at"])
    return ImportResult(version, ImportOutcome.FILLED)


def _import_new(source: ParsedVersion, *, publish: bool, user) -> ImportResult:
    existing = (
        PolicyVersion.objects.drafts()
        .filter(effective_date=source.effective_date, source_sha256=source.sha256)
        .first()
    )
    if existing is not None and not publish:
        return ImportResult(existing, ImportOutcome.UNCHANGED)
    version = existing or PolicyVersion(effective_date=source.effective_date)
    version.material = source.material
    version.summary_en = source.summary
    version.source_sha256 = source.sha256
    version.save()
    if existing is None:
        _create_sections(version, source)
    if not publish:
        return ImportResult(version, ImportOutcome.CREATED)
    version_publish(version=version, user=user)
    return ImportResult(version, ImportOutcome.PUBLISHED)


def _create_sections(version: PolicyVersion, source: ParsedVersion) -> None:
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    for parsed in source.sections:
        # save() per row (not bulk_create) so each section renders its HTML once, here.
        with override("en"):
            Section(
                version=version,
                order=parsed.order,
                anchor=parsed.anchor,
                heading_en=parsed.heading,
                body_en=parsed.body,
                jurisdiction=jurisdictions.get(parsed.jurisdiction) if parsed.jurisdiction else None,
            ).save()


def version_publish(*, version: PolicyVersion, user=None) -> PolicyVersion:
    """Make a draft public under its effective date; exactly one version per date wins."""
    if version.is_published:
        raise PolicyImportRefused(f"the version for {version.effective_date} is already published")
    version.status = PolicyVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user if user is not None and user.is_authenticated else None
    try:
        with transaction.atomic():
            version.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    except IntegrityError:
        version.status = PolicyVersion.Status.DRAFT
        version.published_at = None
        raise PolicyImportRefused(
            f"another version is already published for {version.effective_date.isoformat()}"
        ) from None
    transaction.on_commit(selectors.content_changed)
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
    transaction.on_commit(selectors.content_changed)
    return version, True


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
    if created:
        transaction.on_commit(selectors.content_changed)
    return created


def launch_data() -> dict:
    return json.loads(LAUNCH_DATA.read_text(encoding="utf-8"))
