"""Reads for the public pages, cached so that a warm request makes no SQL query.

Everything goes through core.cache.cached, whose generation is bumped whenever published
content or a jurisdiction changes (NoticesConfig.ready lists the models). Keys hold only
normalised values: dates are looked up in the index of published versions before anything
keyed by them is built, so an unknown date caches nothing.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from core.cache import cached

from .destinations import resolve_html
from .models import Jurisdiction, PolicyVersion, Section
from .outline import outline
from .updates import MARKER, expand_markers

ALL = "all"


def legal_today() -> datetime.date:
    """Today's date where the policy's publisher is; versions take effect at its midnight."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(settings.NOTICES_LEGAL_TIME_ZONE)).date()


def published_dates() -> dict[datetime.date, bool]:
    """Every published version's effective date, with whether its text is held."""

    def build():
        rows = PolicyVersion.objects.published().annotate(
            has_text=Exists(Section.objects.filter(version=OuterRef("pk")))
        )
        return dict(rows.values_list("effective_date", "has_text"))

    return cached(("published-dates",), build)


@dataclass(frozen=True)
class JurisdictionChoice:
    code: str
    name: str


def jurisdiction_choices() -> list[JurisdictionChoice]:
    """Every region with an addendum, named in the active language."""
    language = get_language()
    return cached(
        ("jurisdictions", language),
        lambda: [JurisdictionChoice(j.code, j.name) for j in Jurisdiction.objects.all()],
    )


def in_force_date(*, on: datetime.date) -> datetime.date | None:
    """Effective date of the version in force on a day (the latest published one with text)."""
    return cached(
        ("in-force", on.isoformat()),
        lambda: PolicyVersion.objects.in_force(on=on).with_text().values_list("effective_date", flat=True).first(),
    )


@dataclass(frozen=True)
class VersionSummary:
    effective_date: datetime.date
    summary: str
    material: bool
    has_text: bool
    state: str  # "in-force", "upcoming", "superseded" or "withdrawn"
    previous: datetime.date | None = None  # the version it replaced (with text), for a redline
    published_at: datetime.datetime | None = None
    withdrawn_reason: str = ""

    @property
    def url(self):
        return reverse("notices:version_detail", kwargs={"effective_date": self.effective_date})

    @property
    def diff_url(self):
        if self.previous is None:
            return None
        return reverse("notices:version_diff", kwargs={"a": self.previous, "b": self.effective_date})


def version_history(*, on: datetime.date) -> list[VersionSummary]:
    """Every published version, newest first, with its state on the given day."""

    def build():
        current = in_force_date(on=on)
        versions = (
            PolicyVersion.objects.published()
            .select_related("withdrawal")
            .annotate(has_text=Exists(Section.objects.filter(version=OuterRef("pk"))))
            .order_by("-effective_date")
        )
        result = []
        versions = list(versions)
        # A withdrawn version replaced nothing: the redline of the next one skips it.
        with_text = [v.effective_date for v in versions if v.has_text and not _withdrawal(v)]
        for version in versions:
            withdrawal = _withdrawal(version)
            if withdrawal is not None:
                state = "withdrawn"
            elif version.effective_date > on:
                state = "upcoming"
            elif version.effective_date == current:
                state = "in-force"
            else:
                state = "superseded"
            older = [d for d in with_text if d < version.effective_date]
            previous = older[0] if version.has_text and older else None
            result.append(
                VersionSummary(
                    version.effective_date,
                    version.summary,
                    version.material,
                    version.has_text,
                    state,
                    previous,
                    version.published_at,
                    withdrawal.reason if withdrawal else "",
                )
            )
        return result

    return cached(("history", on.isoformat(), get_language()), build)


def _withdrawal(version):
    try:
        return version.withdrawal
    except PolicyVersion.withdrawal.RelatedObjectDoesNotExist:
        return None


def withdrawn_versions() -> dict[datetime.date, str]:
    """Withdrawn versions' effective dates, with the reason given."""
    return cached(
        ("withdrawn",),
        lambda: dict(
            PolicyVersion.objects.published()
            .filter(withdrawal__isnull=False)
            .values_list("effective_date", "withdrawal__reason")
        ),
    )


@dataclass(frozen=True)
class PolicyDocument:
    """A version rendered for one language and one choice of addenda, ready to embed."""

    effective_date: datetime.date
    has_text: bool
    html: str
    shown: tuple[str, ...]  # codes of the addenda on the page
    untranslated: bool  # some text fell back to English


def policy_document(*, effective_date: datetime.date, shown: tuple[str, ...]) -> PolicyDocument | None:
    """Render a published version with the general sections and the addenda in ``shown``
    (known codes only: callers pass what reading.reading_for or the map returned)."""
    language = get_language()
    if effective_date not in published_dates():
        return None  # nothing cached for a date that names no version
    return cached(
        ("document", effective_date.isoformat(), language, "+".join(shown) or "-"),
        lambda: _build_document(effective_date, language, shown),
    )


def _build_document(effective_date, language, shown_codes) -> PolicyDocument | None:
    version = PolicyVersion.objects.published().filter(effective_date=effective_date).first()
    if version is None:
        return None
    return render_document(version, language, shown_codes)


def render_document(version: PolicyVersion, language: str, shown_codes) -> PolicyDocument:
    """Render any version (drafts too, for the admin preview); nothing here is cached.

    A section is shown in the page's language only when its translation is current (made
    from the English as it stands, notices.translation_status); a missing or outdated one is shown
    in English, marked ``lang="en"``, and the note counts them.
    """
    from .translation_status import CURRENT, prevailing_language_name, records_by_section, section_state, suffix

    sections = list(version.sections.select_related("jurisdiction").order_by("order", "pk"))
    source = language == "en"
    records = {} if source else records_by_section(sections, language)
    shown_sections = []
    for section in sections:
        section.fallback = not source and section_state(section, language, records.get(section.pk)) != CURRENT
        use = "en" if source or section.fallback else suffix(language)
        section.shown_heading = getattr(section, f"heading_{use}") or ""
        section.shown_html = getattr(section, f"body_html_{use}") or ""
        code = section.jurisdiction.code if section.jurisdiction else None
        if code is None or code in shown_codes:
            shown_sections.append(section)
    for section in shown_sections:
        if MARKER in section.shown_html:
            # Generated, not stored: the Updates block in the language the section is shown in
            # (before the outline below, which numbers what the page shows).
            section.shown_html = expand_markers(
                section.shown_html, version, "en" if section.fallback else language, link_language=language
            )
        section.display_html, section.subsections = outline(section.anchor, section.shown_html, section.shown_heading)
    shown = tuple(s.jurisdiction.code for s in shown_sections if s.jurisdiction)
    present = {s.jurisdiction.code for s in sections if s.jurisdiction}
    omitted = [c for c in jurisdiction_choices() if c.code in present and c.code not in shown]
    in_english = sum(s.fallback for s in shown_sections)
    html = render_to_string(
        "notices/_document.html",
        {
            "version": version,
            "sections": shown_sections,
            "omitted": omitted,
            "untranslated": bool(in_english),
            "in_english": in_english,
            "section_count": len(shown_sections),
            # "Not translated yet" only when no section of the version is; else the count.
            "all_in_english": not source and not any(not s.fallback for s in sections),
            # Any section shown in the page's own language, when that is not the original's.
            "is_translation": not source and in_english < len(shown_sections),
            "prevailing_language": prevailing_language_name(),
        },
    )
    # site: links become this language's URLs here, so a /ko/ page links to /ko/… pages.
    html = resolve_html(html, language=language)
    return PolicyDocument(version.effective_date, bool(sections), html, shown, bool(in_english))


@dataclass(frozen=True)
class UpcomingNotice:
    effective_date: datetime.date
    current_date: datetime.date | None  # the version it replaces, for the redline


def upcoming_notice(*, on: datetime.date) -> UpcomingNotice | None:
    """The next published version that has not taken effect yet, if any."""

    def build():
        upcoming = PolicyVersion.objects.upcoming(on=on).with_text().values_list("effective_date", flat=True)
        date = upcoming.first()
        return UpcomingNotice(date, in_force_date(on=on)) if date else None

    return cached(("upcoming", on.isoformat()), build)


def version_redline(*, old_date: datetime.date, new_date: datetime.date):
    """The section-by-section redline between two published versions with text, or None."""
    from .redline import compare_versions

    dates = published_dates()
    if not (dates.get(old_date) and dates.get(new_date)):
        return None  # unknown dates cache nothing

    def build():
        versions = {
            v.effective_date: v
            for v in PolicyVersion.objects.published().with_text().filter(effective_date__in=[old_date, new_date])
        }
        if len(versions) != 2:
            return None
        return compare_versions(versions[old_date], versions[new_date])

    return cached(("redline", old_date.isoformat(), new_date.isoformat(), get_language()), build)


def version_summary(*, new_date: datetime.date) -> str:
    """A published version's change summary in the active language (English where untranslated)."""
    language = get_language()

    def build():
        version = PolicyVersion.objects.published().filter(effective_date=new_date).first()
        return (version.summary or "") if version else ""

    return cached(("summary", new_date.isoformat(), language), build)
