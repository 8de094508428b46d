"""Whether each translation of a version is true to its English: up to date, outdated or missing.

Reads only (the writes are in notices.translating). A section's translation into a language
is

* **current** when the English its record says it was translated from is the section's
  English now (heading and body, compared by SHA-256);
* **outdated** when the English changed since, or no record says what it came from;
* **missing** when the section has no text in that language.

The public pages show only current translations (selectors.render_document); the publish
page lists the rest (translation_problems).
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .models import PolicyVersion, Section, SectionTranslation
from .source import translation_languages

CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"
STATES = (CURRENT, OUTDATED, MISSING)


def suffix(language: str) -> str:
    return language.replace("-", "_")


def english_sha256(heading: str, body: str) -> str:
    """Checksum of a section's English, as a translator reads it (heading and body)."""
    text = f"{(heading or '').strip()}\n\n{(body or '').replace(chr(13), '').strip()}\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def section_english_sha256(section: Section) -> str:
    return english_sha256(section.heading_en, section.body_en)


def translated_text(section: Section, language: str) -> tuple[str, str]:
    return (getattr(section, f"heading_{suffix(language)}", "") or ""), (
        getattr(section, f"body_{suffix(language)}", "") or ""
    )


def section_state(section: Section, language: str, record: SectionTranslation | None) -> str:
    heading, body = translated_text(section, language)
    if not body.strip() or (section.heading_en and not heading.strip()):
        return MISSING
    if record is None or record.source_sha256 != section_english_sha256(section):
        return OUTDATED
    return CURRENT


def records_by_section(sections, language: str) -> dict[int, SectionTranslation]:
    """The records of these sections in one language, in one query."""
    ids = [s.pk for s in sections]
    return {r.section_id: r for r in SectionTranslation.objects.filter(section_id__in=ids, language=language)}


@dataclass(frozen=True)
class SectionStatus:
    section: Section
    language: str
    state: str
    record: SectionTranslation | None

    @property
    def label(self) -> str:
        return {CURRENT: _("Up to date"), OUTDATED: _("Outdated"), MISSING: _("Missing")}[self.state]


def version_translation_status(version: PolicyVersion, language: str) -> list[SectionStatus]:
    """Each section of the version, in order, with the state of its translation."""
    sections = list(version.sections.select_related("jurisdiction").order_by("order", "pk"))
    records = records_by_section(sections, language)
    return [
        SectionStatus(s, language, section_state(s, language, records.get(s.pk)), records.get(s.pk)) for s in sections
    ]


@dataclass(frozen=True)
class LanguageProblems:
    language: str
    name: str
    outdated: list[Section] = field(default_factory=list)
    missing: list[Section] = field(default_factory=list)
    total: int = 0

    @property
    def count(self) -> int:
        return len(self.outdated) + len(self.missing)


def translation_problems(version: PolicyVersion) -> list[LanguageProblems]:
    """Per language with any, the sections that would be shown in English: outdated or missing."""
    from django.utils.translation import get_language_info

    sections = list(version.sections.select_related("jurisdiction").order_by("order", "pk"))
    result = []
    for language in translation_languages():
        records = records_by_section(sections, language)
        states = [(s, section_state(s, language, records.get(s.pk))) for s in sections]
        outdated = [s for s, state in states if state == OUTDATED]
        missing = [s for s, state in states if state == MISSING]
        if outdated or missing:
            name = get_language_info(language)["name_translated"]
            result.append(LanguageProblems(language, str(name), outdated, missing, len(sections)))
    return result


# In the note "the <language> text prevails", named in the reader's language.
LANGUAGE_NAMES = {
    "en": pgettext_lazy("the text that prevails", "English"),
    "ko": pgettext_lazy("the text that prevails", "Korean"),
    "zh-hans": pgettext_lazy("the text that prevails", "Simplified Chinese"),
    "ja": pgettext_lazy("the text that prevails", "Japanese"),
}


def prevailing_language_name() -> str:
    code = settings.NOTICES_PREVAILING_LANGUAGE
    return str(LANGUAGE_NAMES.get(code, code))
