"""Compare two versions section by section, word by word (difflib), for people to read."""

import difflib
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from .models import PolicyVersion

# Whitespace runs, single CJK characters (those scripts don't separate words by spaces),
# words, and single punctuation marks.
TOKEN_RE = re.compile(r"\s+|[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|\w+|[^\w\s]")
BLOCKS = {"p", "li", "tr", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr"}
CELLS = {"td", "th"}

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS or tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append("\n")
        elif tag in CELLS:
            self.parts.append(" | ")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of sanitised section HTML: one block per line, cells separated by ' | '."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip(" |") for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line)


def diff_words(old: str, new: str) -> str:
    """HTML of ``new`` with the words removed from ``old`` in <del> and the added in <ins>."""
    a, b = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    removed_label = escape(_("removed:"))
    added_label = escape(_("added:"))
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(
                f'<del><span class="visually-hidden">[{removed_label} </span>{escape("".join(a[i1:i2]))}'
                '<span class="visually-hidden">]</span></del>'
            )
        if op in ("insert", "replace"):
            out.append(
                f'<ins><span class="visually-hidden">[{added_label} </span>{escape("".join(b[j1:j2]))}'
                '<span class="visually-hidden">]</span></ins>'
            )
    return "".join(out)


@dataclass(frozen=True)
class SectionChange:
    anchor: str
    heading: str
    region: str  # the jurisdiction's name for an addendum, else ""
    status: str  # ADDED, REMOVED, CHANGED or UNCHANGED
    html: str


def _heading(section) -> str:
    # Read in the active language: modeltranslation falls back to English where untranslated.
    return section.heading or _("Introduction")


def _body(section) -> str:
    return html_to_text(section.body_html)


def compare_versions(old: PolicyVersion, new: PolicyVersion) -> list[SectionChange]:
    """Every section of either version, in the new version's order (removed ones last)."""
    old_sections = {s.anchor: s for s in old.sections.select_related("jurisdiction").order_by("order", "pk")}
    changes = []
    for section in new.sections.select_related("jurisdiction").order_by("order", "pk"):
        before = old_sections.pop(section.anchor, None)
        if before is None:
            changes.append(_change(section, ADDED, diff_words("", _body(section))))
            continue
        heading_changed = _heading(before) != _heading(section)
        if not heading_changed and _body(before) == _body(section):
            changes.append(_change(section, UNCHANGED, escape(_body(section))))
            continue
        html = diff_words(_body(before), _body(section))
        if heading_changed:
            label = escape(_("Heading:"))
            html = f"{label} {diff_words(_heading(before), _heading(section))}\n\n{html}"
        changes.append(_change(section, CHANGED, html))
    for section in old_sections.values():
        changes.append(_change(section, REMOVED, diff_words(_body(section), "")))
    return changes


def _change(section, status, html) -> SectionChange:
    region = section.jurisdiction.name if section.jurisdiction else ""
    return SectionChange(section.anchor, section.heading or _("Introduction"), region, status, html)
