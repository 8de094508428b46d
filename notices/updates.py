"""The policy's "Updates" block, generated from the versions themselves, never typed.

A section whose Markdown is the line ``[[updates]]`` gets, in its place, the sentence
"This Privacy Policy will be effective from <date>." with the version's own date, and the
table of versions up to and including this one (number, date, a link to each version's
page in the page's language). So a new version names its own date and its list ends with it.
"""

import re

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

MARKER = "[[updates]]"
MARKER_RE = re.compile(r"<p>\s*\[\[updates\]\]\s*</p>")


def version_rows(version, link_language: str) -> list[dict]:
    """The versions a reader of ``version`` is told about: earlier live ones, then itself."""
    from .models import PolicyVersion

    earlier = (
        PolicyVersion.objects.live()
        .filter(effective_date__lt=version.effective_date)
        .exclude(pk=version.pk)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
    )
    with override(link_language):
        rows = [{"date": d, "url": reverse("notices:version_detail", args=[d]), "current": False} for d in earlier]
        own_url = reverse("notices:version_detail", args=[version.effective_date]) if version.is_published else ""
    rows.append({"date": version.effective_date, "url": own_url, "current": True})
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    return rows


def expand_markers(html: str, version, language: str, *, link_language: str | None = None) -> str:
    """Replace the marker paragraph with the generated block, written in ``language`` (the
    section's: English where it is untranslated), its links to pages in ``link_language``."""
    if MARKER not in (html or ""):
        return html
    rows = version_rows(version, link_language or language)
    with override(language):
        block = render_to_string("notices/_updates.html", {"version": version, "rows": rows})
    return MARKER_RE.sub(lambda _match: block, html)


def placeholder(html: str) -> str:
    """The marker as the redline shows it: generated text is the same rule in every version,
    so it is named, not compared (each version's own dates would otherwise always differ)."""
    if MARKER not in (html or ""):
        return html
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    text = escape(_("[The effective date and the list of versions, generated for each version.]"))
    return MARKER_RE.sub(lambda _match: f"<p>{text}</p>", html)
