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

from . import lineage, selectors, signals, translating
from .destinations import link_problems
from .fidelity import section_problems
from .models import Jurisdiction, PolicyVersion, Section, VersionEvent, Withdrawal
from .source import ParsedSection, ParsedVersion, PolicySourceError

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


class DraftInvalid(Exception):
    """What the editor typed cannot be saved as it is (e.g. an empty English text)."""


class WithdrawRefused(Exception):
    """The version cannot be withdrawn (a draft, already withdrawn, or in force)."""


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
    """Copy a version into a new draft: by default the newest published one, upcoming included.

    The draft replaces that version, so it starts from its text (scheduled changes and all)
    and records it as its base (``copied_from``): Compare shows only the draft's own edits.
    Every section and addendum is copied with all of its translations. A material draft
    needs its notice period, which the editor sets; the date starts as the earliest that
    could be published for a non-material change, the day after its base takes effect.
    """
    if source is None:
        source = (
            PolicyVersion.objects.latest_live() or PolicyVersion.objects.with_text().order_by("-effective_date").first()
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
        lineage.record(
            draft,
            VersionEvent.Kind.STARTED,
            user=user,
            note=_("Started from the version effective %(date)s.") % {"date": source.effective_date.isoformat()},
        )
    return draft


def earliest_valid_date(version: PolicyVersion) -> datetime.date:
    """The first effective date this draft could be published for, as it stands."""
    today = selectors.legal_today()
    earliest = today
    if version.material:
        earliest = today + datetime.timedelta(days=settings.NOTICES_MATERIAL_NOTICE_DAYS)
    latest = PolicyVersion.objects.latest_live()
    if latest is not None and latest.pk != version.pk:
        earliest = max(earliest, latest.effective_date + datetime.timedelta(days=1))
    return earliest


def draft_section_save(
    *, version: PolicyVersion, anchor: str, language: str, heading: str, body: str, token: str, user=None
) -> VersionEvent:
    """Save one section's heading and text in one language, unless the draft changed meanwhile.

    Raises lineage.EditConflict (saying who changed it, and when) when ``token`` is not the
    draft's newest event: the caller keeps the editor's text on screen.
    """
    suffix = language.replace("-", "_")
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        draft_ensure_editable(locked)
        lineage.ensure_token(locked, token)
        section = locked.sections.get(anchor=anchor)
        before = lineage.snapshot(locked)
        body = (body or "").replace("\r\n", "\n").strip()
        if language == "en" and not body:
            raise DraftInvalid(_("The English text of a section cannot be empty."))
        heading = (heading or "").strip()
        was = tuple((getattr(section, f"{field}_{suffix}") or "").strip() for field in ("heading", "body"))
        translation_written = language != "en" and bool(body) and was != (heading, body)
        if translation_written:
            english = ParsedSection(section.order, anchor, section.heading_en or "", section.body_en or "", None, 0)
            translated = ParsedSection(section.order, anchor, heading, body + "\n", None, 1, 1)
            problems = section_problems(english, translated)
            if problems:
                raise DraftInvalid(" ".join(p.message for p in problems))
        setattr(section, f"heading_{suffix}", heading)
        setattr(section, f"body_{suffix}", body)
        section.save()
        if translation_written:
            # As in the translator's view and the admin's language tabs: a translation written
            # here was written against the English as it stands, so it is no longer outdated.
            translating.translation_record_edit(section=section, language=language, user=user)
        changes = lineage.changes_between(before, lineage.snapshot(locked))
        return lineage.record(locked, VersionEvent.Kind.EDITED, user=user, changes=changes)


def draft_details_save(
    *, version: PolicyVersion, effective_date, material: bool, language: str, summary: str, token: str, user=None
) -> tuple[VersionEvent, bool]:
    """Save the date, the material flag and the summary in one language; True when the date
    was moved to the earliest one valid for a material change."""
    suffix = language.replace("-", "_")
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        draft_ensure_editable(locked)
        lineage.ensure_token(locked, token)
        notes = []
        moved = False
        was_date, was_material = locked.effective_date, locked.material
        becomes_material = material and not was_material
        locked.material = material
        locked.effective_date = effective_date
        if becomes_material and effective_date < earliest_valid_date(locked):
            locked.effective_date = earliest_valid_date(locked)
            moved = True
        if locked.effective_date != was_date:
            notes.append(_("Effective date: %(date)s.") % {"date": locked.effective_date.isoformat()})
        if material != was_material:
            notes.append(_("Material change.") if material else _("Not a material change."))
        old_summary = getattr(locked, f"summary_{suffix}") or ""
        setattr(locked, f"summary_{suffix}", (summary or "").strip())
        if old_summary.strip() != (summary or "").strip():
            notes.append(_("Change summary [%(language)s] changed.") % {"language": language})
        locked.save()
        event = lineage.record(locked, VersionEvent.Kind.EDITED, user=user, note=" ".join(notes))
    version.refresh_from_db()
    return event, moved


@transaction.atomic
def draft_set_material(*, version: PolicyVersion, material: bool) -> PolicyVersion:
    """Mark a draft material or not; a material one moves to its earliest valid date if sooner."""
    draft_ensure_editable(version)
    version.material = material
    if material:
        version.effective_date = max(version.effective_date, earliest_valid_date(version))
    version.save(update_fields=["material", "effective_date", "updated_at"])
    return version


# --- publishing --------------------------------------------------------------------------


def publish_problems(version: PolicyVersion, *, historical: bool = False) -> list[str]:
    """Everything that stops this draft from being published, as sentences for an editor.

    The one list of rules: the publish page, the draft's warnings and version_publish all
    read it, so a rule added here (translations, say) is shown and enforced everywhere.
    """
    problems = []
    today = selectors.legal_today()
    if version.is_published:
        problems.append(_("This version is already published."))
        return problems
    taken = PolicyVersion.objects.published().filter(effective_date=version.effective_date).exclude(pk=version.pk)
    if taken.exists():
        problems.append(
            _("Another version is already published for %(date)s.") % {"date": version.effective_date.isoformat()}
        )
    if not historical and version.effective_date < today:
        problems.append(_("The effective date is in the past; choose today or a later date."))
    if not version.sections.exists():
        problems.append(_("A version needs at least one section."))
    problems.extend(link_publish_problems(version))

    if not historical:
        problems.extend(lineage_problems(version))
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
    for extra in PUBLISH_RULES:
        problems.extend(extra(version))
    return problems


def link_publish_problems(version: PolicyVersion) -> list[str]:
    """Unknown site: destinations and dead "click here" phrases, in any language, by section."""
    sections = list(version.sections.all())
    anchors = {section.anchor for section in sections}
    problems = []
    for section in sections:
        name = section.heading_en or section.anchor
        for code, _name in settings.LANGUAGES:
            rendered = getattr(section, f"body_html_{code.replace('-', '_')}", "") or ""
            for kind, detail in link_problems(rendered, anchors=anchors):
                values = {"section": name, "language": code, "detail": detail}
                if kind == "unknown":
                    message = _("Section “%(section)s” (%(language)s) links to an unknown destination: %(detail)s.")
                else:
                    message = _("Section “%(section)s” (%(language)s) has “%(detail)s” linking nowhere.")
                problems.append(message % values)
    return problems


# Further rules (each a function version -> list of sentences) that other parts of the
# project register, e.g. translations that must be complete; see publish_problems.
PUBLISH_RULES: list = []
# Warnings an editor should see on a draft that do not stop publishing (e.g. outdated
# translations); each a function version -> list of sentences. See draft_warnings.
DRAFT_NOTES: list = []


def draft_warnings(version: PolicyVersion) -> list[str]:
    """Every rule that would stop this draft from being published, shown while it is edited."""
    if version.pk is None or version.is_published:
        return []
    return publish_problems(version)


def draft_notes(version: PolicyVersion) -> list[str]:
    """The registered notes about a draft that do not stop publishing."""
    if version.pk is None or version.is_published:
        return []
    return [note for rule in DRAFT_NOTES for note in rule(version)]


def lineage_problems(version: PolicyVersion) -> list[str]:
    problems = []
    stale = lineage.stale_message(version)
    if stale:
        problems.append(stale)
    latest = PolicyVersion.objects.latest_live()
    if latest is not None and latest.pk != version.pk and version.effective_date <= latest.effective_date:
        problems.append(
            _(
                "The version effective %(date)s is already published; this draft replaces it, so its "
                "effective date must be later: %(next)s or after."
            )
            % {
                "date": latest.effective_date.isoformat(),
                "next": (latest.effective_date + datetime.timedelta(days=1)).isoformat(),
            }
        )
    return problems


def approval_problems(version: PolicyVersion, user) -> list[str]:
    """Four eyes: who may publish this draft (nobody's rule when no user publishes, e.g. an import)."""
    if user is None or settings.NOTICES_ONE_PERSON_PUBLISHING:
        return []
    problems = []
    if pending_request(version) is None:
        problems.append(_("Publication has not been requested for this draft as it stands."))
    if lineage.last_editor_id(version) == user.pk:
        problems.append(_("You were the last to edit this draft: another publisher must approve and publish it."))
    return problems


def pending_request(version: PolicyVersion) -> VersionEvent | None:
    """The request for publication made after the draft's last change, if any."""
    latest = version.events.latest_first().select_related("user").first()
    if latest is not None and latest.kind == VersionEvent.Kind.REQUESTED:
        return latest
    return None


def publication_request(*, version: PolicyVersion, user, note: str = "") -> VersionEvent:
    """An editor asks for the draft, as it stands now, to be approved and published."""
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        draft_ensure_editable(locked)
        existing = pending_request(locked)
        if existing is not None:
            return existing
        return lineage.record(locked, VersionEvent.Kind.REQUESTED, user=user, note=note)


def version_publish(*, version: PolicyVersion, user=None, historical: bool = False) -> PolicyVersion:
    """Publish a draft under its effective date: the one path for the admin and the importer.

    ``historical`` records a version that already took effect elsewhere (the launch content,
    recovered earlier texts): the date may be in the past and no notice period applies.
    Exactly one version is published per date; the loser of a race gets PublishRefused. Two
    drafts built on one base cannot both be published: each locks its base first, so the
    second sees the first and must rebase.
    """
    user = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        base_id = getattr(lineage.replaced_version(locked), "pk", None)
        if base_id is not None and not historical:
            list(PolicyVersion.objects.select_for_update().filter(pk=base_id).values_list("pk"))
        problems = publish_problems(locked, historical=historical)
        if not historical:
            problems += approval_problems(locked, user)
        if problems:
            raise PublishRefused(problems)
        locked.status = PolicyVersion.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = user
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        except IntegrityError:
            raise PublishRefused(
                [_("Another version is already published for %(date)s.") % {"date": locked.effective_date.isoformat()}]
            ) from None
        lineage.record(locked, VersionEvent.Kind.PUBLISHED, user=user)
        # Inside the transaction: what listeners write (the change notice) commits with the
        # publish, and a listener that fails rolls the publish back.
        signals.version_published.send(sender=PolicyVersion, version=locked, historical=historical)
    version.refresh_from_db()
    return version


def version_withdraw(*, version: PolicyVersion, reason: str, user=None) -> Withdrawal:
    """Withdraw a published version before it takes effect; one in force can only be superseded.

    The version keeps its text and address (marked withdrawn); it leaves the versions that
    come into force, so the site-wide notice of it disappears. Listeners (the subscriptions
    app) correct what was announced, inside this transaction.
    """
    reason = (reason or "").strip()
    if not reason:
        raise WithdrawRefused(_("Say why the version is withdrawn: the reason is part of the record."))
    user = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if not locked.is_published:
            raise WithdrawRefused(_("Only a published version can be withdrawn; a draft can simply be deleted."))
        if Withdrawal.objects.filter(version=locked).exists():
            raise WithdrawRefused(_("This version is already withdrawn."))
        if locked.effective_date <= selectors.legal_today():
            raise WithdrawRefused(
                _("This version has taken effect and can never be withdrawn: publish a new version to supersede it.")
            )
        withdrawal = Withdrawal.objects.create(version=locked, reason=reason, withdrawn_by=user)
        lineage.record(locked, VersionEvent.Kind.WITHDRAWN, user=user, note=reason)
        signals.version_withdrawn.send(sender=PolicyVersion, version=locked, withdrawal=withdrawal)
    return withdrawal


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
