"""Hold a translation to the English text's structure, before anything is imported.

A translation must say the same things in the same places: the same sections under the
same anchors and jurisdictions, in the same order; in each section the same sub-headings,
numbered items (same numbers, same nesting), bullets, paragraphs and tables (same rows and
columns, a ``<br>`` in the same cells); the same link targets (``mailto:``, ``https://``,
``site:``, site paths) and every email address and URL of the English. Only the words
change. The importer refuses a file that fails (with its file and line), and the test suite
runs the same check over every translation file in notices/content/.

Pure: no database. The English side is any sequence of objects with ``anchor``,
``heading``, ``body`` and ``jurisdiction`` (parsed sections, or rows read by the importer).
"""

import re
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .source import ParsedSection, ParsedVersion

SUBHEADING_RE = re.compile(r"^(#{3,6})\s")
NUMBERED_RE = re.compile(r"^(\s*)(\d+)\.\s")
BULLET_RE = re.compile(r"^(\s*)[-*+]\s")
TABLE_RE = re.compile(r"^\s*\|")
LINK_TARGET_RE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL_RE = re.compile(r"https?://[^\s)\]>|<\"']+")
MARKER_RE = re.compile(r"^\[\[([a-z][a-z0-9-]*)\]\]$")
BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    field: str = "body"  # "heading" when the problem is the heading's, for a form to place it


@dataclass(frozen=True)
class Block:
    kind: str  # "subheading", "numbered", "bullet", "table", "paragraph", "marker"
    shape: tuple
    offset: int  # line within the body (0-based)

    def describe(self) -> str:
        # Editors read these in the admin (a translation's form errors), in their language.
        if self.kind == "subheading":
            return _("a level-%(level)s sub-heading") % {"level": self.shape[0]}
        if self.kind == "numbered":
            return _("numbered item %(number)s (indent %(indent)s)") % {
                "number": self.shape[1],
                "indent": self.shape[0],
            }
        if self.kind == "bullet":
            return _("a bullet (indent %(indent)s)") % {"indent": self.shape[0]}
        if self.kind == "table":
            rows, columns, breaks = self.shape[:3]
            return _("a table of %(rows)s rows by %(columns)s columns with <br> in cells %(breaks)s") % {
                "rows": rows,
                "columns": columns,
                "breaks": breaks or _("none"),
            }
        if self.kind == "marker":
            return _("the marker [[%(name)s]]") % {"name": self.shape[0]}
        return _("a paragraph")


def _cells(row: str) -> list[str]:
    row = row.strip().replace("\\|", "\0")
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    return row.split("|")


def body_blocks(body: str) -> list[Block]:
    """The body's skeleton: one block per sub-heading, list item, table and paragraph."""
    blocks: list[Block] = []
    lines = body.strip("\n").split("\n")
    index = 0
    previous = None  # the kind of the line before (None after a blank line)
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            previous = None
            index += 1
            continue
        if match := SUBHEADING_RE.match(line):
            blocks.append(Block("subheading", (len(match[1]),), index))
            previous = "subheading"
        elif TABLE_RE.match(line):
            start = index
            rows = []
            while index < len(lines) and TABLE_RE.match(lines[index]):
                rows.append(_cells(lines[index]))
                index += 1
            columns = max(len(r) for r in rows)
            breaks = tuple((r, c) for r, cells in enumerate(rows) for c, cell in enumerate(cells) if BR_RE.search(cell))
            ragged = tuple(len(r) for r in rows) if any(len(r) != columns for r in rows) else ()
            blocks.append(Block("table", (len(rows), columns, breaks) + ((ragged,) if ragged else ()), start))
            previous = "table"
            continue
        elif match := NUMBERED_RE.match(line):
            blocks.append(Block("numbered", (len(match[1]), int(match[2])), index))
            previous = "item"
        elif match := BULLET_RE.match(line):
            blocks.append(Block("bullet", (len(match[1]),), index))
            previous = "item"
        elif match := MARKER_RE.match(line.strip()):
            blocks.append(Block("marker", (match[1],), index))
            previous = "marker"
        elif previous in ("paragraph", "item"):
            pass  # a continuation line of the paragraph or list item above
        else:
            blocks.append(Block("paragraph", (), index))
            previous = "paragraph"
        index += 1
    return blocks


def link_targets(body: str) -> Counter:
    return Counter(LINK_TARGET_RE.findall(body))


def addresses(body: str) -> set[str]:
    """Every email address and URL written in the text (inside links or not)."""
    found = {match.lower() for match in EMAIL_RE.findall(body)}
    found |= {match.rstrip(".,;:") for match in URL_RE.findall(body)}
    return found


def section_problems(english, translated: ParsedSection) -> list[Problem]:
    """What differs between one English section and its translation, with file lines."""
    problems: list[Problem] = []
    base = translated.body_line or translated.line
    if english.heading and not translated.heading:
        problems.append(
            Problem(
                translated.line,
                _("section %(anchor)s needs a translated heading") % {"anchor": repr(translated.anchor)},
                field="heading",
            )
        )
    ours, theirs = body_blocks(english.body), body_blocks(translated.body)
    for position, expected in enumerate(ours):
        if position >= len(theirs):
            where = base + (theirs[-1].offset if theirs else 0)
            problems.append(
                Problem(
                    where,
                    _("section %(anchor)s ends early: the English continues with %(expected)s")
                    % {"anchor": repr(translated.anchor), "expected": expected.describe()},
                )
            )
            break
        found = theirs[position]
        if (found.kind, found.shape) != (expected.kind, expected.shape):
            problems.append(
                Problem(
                    base + found.offset,
                    _(
                        "structure differs from the English in section %(anchor)s: "
                        "expected %(expected)s, found %(found)s"
                    )
                    % {"anchor": repr(translated.anchor), "expected": expected.describe(), "found": found.describe()},
                )
            )
            break
    else:
        if len(theirs) > len(ours):
            extra = theirs[len(ours)]
            problems.append(
                Problem(
                    base + extra.offset,
                    _("section %(anchor)s has more than the English: %(extra)s is extra")
                    % {"anchor": repr(translated.anchor), "extra": extra.describe()},
                )
            )
    expected_links, found_links = link_targets(english.body), link_targets(translated.body)
    if expected_links != found_links:
        missing = sorted((expected_links - found_links).elements())
        extra = sorted((found_links - expected_links).elements())
        detail = "; ".join(
            part
            for part in (
                _("missing %(targets)s") % {"targets": ", ".join(missing)} if missing else "",
                _("not in the English %(targets)s") % {"targets": ", ".join(extra)} if extra else "",
            )
            if part
        )
        problems.append(
            Problem(
                base,
                _("link targets in section %(anchor)s differ from the English: %(detail)s")
                % {"anchor": repr(translated.anchor), "detail": detail},
            )
        )
    absent = sorted(a for a in addresses(english.body) if a not in addresses(translated.body))
    if absent:
        problems.append(
            Problem(
                base,
                _("section %(anchor)s lacks these addresses of the English: %(addresses)s")
                % {"anchor": repr(translated.anchor), "addresses": ", ".join(absent)},
            )
        )
    return problems


def translation_problems(english_sections, translation: ParsedVersion) -> list[Problem]:
    """Every way the translation's structure departs from the English, in file order."""
    problems: list[Problem] = []
    english = {s.anchor: s for s in english_sections}
    order = [s.anchor for s in english_sections]
    seen = []
    for section in translation.sections:
        source = english.get(section.anchor)
        if source is None:
            problems.append(
                Problem(section.line, f"unknown anchor {section.anchor!r}: the English has no such section")
            )
            continue
        if (source.jurisdiction or None) != (section.jurisdiction or None):
            expected = f"jurisdiction={source.jurisdiction}" if source.jurisdiction else "no jurisdiction"
            problems.append(
                Problem(section.line, f"section {section.anchor!r} must carry {expected}, as in the English")
            )
        seen.append(section.anchor)
        problems.extend(section_problems(source, section))
    present = [a for a in order if a in seen]
    if present != [a for a in seen if a in english]:
        problems.append(
            Problem(translation.sections[0].line, "the sections are not in the English order: " + ", ".join(order))
        )
    for position, anchor in enumerate(order):
        if anchor in seen:
            continue
        following = next((a for a in order[position + 1 :] if a in seen), None)
        line = next((s.line for s in translation.sections if s.anchor == following), None)
        if line is None:
            line = translation.sections[-1].line if translation.sections else 1
        problems.append(Problem(line, f"missing section {anchor!r} (every section of the English is translated)"))
    return sorted(problems, key=lambda p: p.line)
