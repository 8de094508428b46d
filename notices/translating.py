"""Writing translations of a version: importing them, editing them, confirming them.

Every write records (``SectionTranslation``) the English heading and body the translation
was made from; notices.translation_status compares that with the English now to say whether
the translation is up to date, outdated or missing, and only an up-to-date one is shown.

Published text never changes in any language. A translation may still be *added* to a
published version, once per language and section (the database lets exactly that through,
migration 0008), and the record says when it was added, how, by whom and from which file;
after that it is as fixed as the English. An auditor can then tell what a visitor saw on any
day: before ``recorded_at`` that section was shown in English. A correction goes into a new
version, like any change of published text.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cache import bump_on_commit

from . import lineage
from .fidelity import Problem, section_problems
from .fidelity import translation_problems as structure_problems
from .models import PolicyVersion, Section, SectionTranslation, VersionEvent
from .rendering import render_markdown
from .source import ParsedSection, ParsedVersion, PolicySourceError
from .translation_status import (
    MISSING,
    records_by_section,
    section_english_sha256,
    section_state,
    suffix,
    translated_text,
)

# --- writes ------------------------------------------------------------------------------


def _record(section: Section, language: str, *, how: str, user=None, file_sha256: str = "") -> dict:
    return {
        "source_sha256": section_english_sha256(section),
        "source_heading": section.heading_en or "",
        "source_body": section.body_en or "",
        "how": how,
        "recorded_at": timezone.now(),
        "recorded_by": user if user is not None and getattr(user, "is_authenticated", False) else None,
        "source_file_sha256": file_sha256,
    }


def _write_text(section: Section, language: str, heading: str, body: str) -> None:
    """Write one language's columns only: on a published version, that is all the database allows."""
    s = suffix(language)
    values = {f"heading_{s}": heading, f"body_{s}": body, f"body_html_{s}": render_markdown(body) if body else ""}
    Section.objects.filter(pk=section.pk).update(**values)
    for name, value in values.items():
        setattr(section, name, value)


class TranslationImportRefused(Exception):
    """The translation would overwrite a published translation, or has no version to go to."""


@dataclass(frozen=True)
class TranslationImportResult:
    version: PolicyVersion
    added: int  # sections whose text was written
    unchanged: int


def _target_version(source: ParsedVersion) -> PolicyVersion:
    published = PolicyVersion.objects.published().with_text().filter(effective_date=source.effective_date).first()
    if published is not None:
        return published
    drafts = list(PolicyVersion.objects.drafts().filter(effective_date=source.effective_date))
    if len(drafts) == 1:
        return drafts[0]
    date = source.effective_date.isoformat()
    if drafts:
        raise TranslationImportRefused(
            f"{source.path}: {len(drafts)} drafts are effective {date}; keep one, then import the translation"
        )
    raise PolicySourceError(source.path, 2, f"no version effective {date} to translate: import the English text first")


def _raise_structure(source: ParsedVersion, problems: list[Problem]) -> None:
    first, rest = problems[0], problems[1:]
    more = "".join(f"\n{source.path}:{p.line}: {p.message}" for p in rest)
    raise PolicySourceError(source.path, first.line, first.message + more)


def translation_import(*, source: ParsedVersion, user=None) -> TranslationImportResult:
    """Fill one language of the version with the file's effective date, section by section.

    Nothing is written unless the whole file fits the English structure. On a draft the
    file's text replaces the language's text; on a published version it is added where the
    language is empty, an identical text is left alone, and a different one is refused.
    """
    language = source.language
    with transaction.atomic():
        version = _target_version(source)
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        sections = {s.anchor: s for s in version.sections.select_related("jurisdiction").order_by("order", "pk")}
        english = [
            ParsedSection(
                s.order, s.anchor, s.heading_en or "", s.body_en or "", getattr(s.jurisdiction, "code", None), 0
            )
            for s in sections.values()
        ]
        problems = structure_problems(english, source)
        if problems:
            _raise_structure(source, problems)
        records = records_by_section(list(sections.values()), language)
        added = unchanged = 0
        for parsed in source.sections:
            section = sections[parsed.anchor]
            record = records.get(section.pk)
            same_text = translated_text(section, language) == (parsed.heading, parsed.body)
            if version.is_published:
                if same_text:
                    unchanged += 1
                    continue
                if translated_text(section, language)[1]:
                    raise TranslationImportRefused(
                        f"{source.path}:{parsed.line}: section {parsed.anchor!r} of the published version effective "
                        f"{version.effective_date.isoformat()} already has a different {language} text; published "
                        "text is never overwritten. Put the new translation into a new version."
                    )
                # The record first: the database lets a published section take a translation
                # only once the record of where it came from exists.
                SectionTranslation.objects.create(
                    section=section,
                    language=language,
                    **_record(section, language, how="imported", user=user, file_sha256=source.sha256),
                )
                _write_text(section, language, parsed.heading, parsed.body)
                added += 1
                continue
            if same_text and record is not None and record.source_sha256 == section_english_sha256(section):
                unchanged += 1
                continue
            SectionTranslation.objects.update_or_create(
                section=section,
                language=language,
                defaults=_record(section, language, how="imported", user=user, file_sha256=source.sha256),
            )
            _write_text(section, language, parsed.heading, parsed.body)
            added += 1
        summary_changed = _import_summary(version, source)
        if added or summary_changed:
            bump_on_commit()  # update() sends no post_save: retire the cached pages here
    return TranslationImportResult(version, added, unchanged)


def _import_summary(version: PolicyVersion, source: ParsedVersion) -> bool:
    column = f"summary_{suffix(source.language)}"
    current = getattr(version, column) or ""
    if current == source.summary:
        return False
    if version.is_published and current:
        raise TranslationImportRefused(
            f"{source.path}:{source.summary_line}: the published version already has a different {source.language} "
            "summary; published text is never overwritten."
        )
    PolicyVersion.objects.filter(pk=version.pk).update(**{column: source.summary})
    setattr(version, column, source.summary)
    return True


class TranslationNotEditable(Exception):
    """Only a draft's translations can be edited or confirmed."""


def _ensure_draft(section: Section) -> None:
    if PolicyVersion.objects.published().filter(pk=section.version_id).exists():
        raise TranslationNotEditable(
            _("This version is published: its translations are fixed. Start a new version to change them.")
        )


@contextmanager
def _draft_edit(section: Section, user, note: str = "", token: str | None = None):
    """A write to a draft's translation, recorded as an edit of the draft by ``user``.

    The translator's view writes what readers of that language will see, so like every other
    write to a draft it records a VersionEvent: a request for publication made before it no
    longer stands (four eyes), its author becomes the last editor, and editors' pages opened
    before it are out of date. Under the draft's row lock, as the other draft writes.

    ``token`` is the edit token of the page the translator worked from (None: a caller with
    no page). A page older than the draft is refused with lineage.EditConflict: its English
    may not be the English now, and the record would say the translation was made from it.
    """
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().get(pk=section.version_id)
        _ensure_draft(section)
        if token is not None:
            lineage.ensure_token(version, token)
        before = lineage.snapshot(version)
        yield
        changes = lineage.changes_between(before, lineage.snapshot(version))
        lineage.record(version, VersionEvent.Kind.EDITED, user=user, note=note, changes=changes)


def translation_save(
    *, section: Section, language: str, heading: str, body: str, user=None, token: str | None = None
) -> list[str]:
    """Save a draft section's translation, as translated from its English now.

    Returns the structure problems (sentences) instead of saving when the text does not
    fit the English; an empty heading and body remove the translation.
    """
    _ensure_draft(section)
    heading, body = heading.strip(), body.replace("\r\n", "\n").strip()
    if not heading and not body:
        with _draft_edit(section, user, token=token):
            _write_text(section, language, "", "")
            SectionTranslation.objects.filter(section=section, language=language).delete()
            bump_on_commit()
        return []
    body += "\n"
    english = ParsedSection(section.order, section.anchor, section.heading_en or "", section.body_en or "", None, 0)
    problems = section_problems(english, ParsedSection(section.order, section.anchor, heading, body, None, 1, 1))
    if problems:
        return [p.message for p in problems]
    with _draft_edit(section, user, token=token):
        _write_text(section, language, heading, body)
        SectionTranslation.objects.update_or_create(
            section=section, language=language, defaults=_record(section, language, how="edited", user=user)
        )
        bump_on_commit()
    return []


def translation_record_edit(*, section: Section, language: str, user=None) -> None:
    """Record that a draft's translation was just written against its English as it stands."""
    _ensure_draft(section)
    SectionTranslation.objects.update_or_create(
        section=section, language=language, defaults=_record(section, language, how="edited", user=user)
    )


def translation_mark_current(*, section: Section, language: str, user, token: str | None = None) -> SectionTranslation:
    """A translator confirms the translation still says what the English says now."""
    _ensure_draft(section)
    if section_state(section, language, None) == MISSING:
        raise TranslationNotEditable(_("There is no translation to mark as up to date."))
    # No text changes, but which text readers of the language see does: an edit too.
    note = _("Translation of “%(section)s” into %(language)s marked as up to date.") % {
        "section": section.anchor,
        "language": language,
    }
    with _draft_edit(section, user, note=note, token=token):
        record, _created = SectionTranslation.objects.update_or_create(
            section=section, language=language, defaults=_record(section, language, how="confirmed", user=user)
        )
        bump_on_commit()
    return record


def translation_copy(*, source_section: Section, target_section: Section) -> None:
    """Carry a section's records into a new draft: the translations came along, so does their history."""
    SectionTranslation.objects.bulk_create(
        SectionTranslation(
            section=target_section,
            **{
                f.attname: getattr(record, f.attname)
                for f in SectionTranslation._meta.concrete_fields
                if f.name not in ("id", "section")
            },
        )
        for record in source_section.translations.all()
    )
