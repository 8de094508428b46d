"""Parse a policy version written as Markdown with front matter.

The format (see notices/content/README.md)::

    ---
    effective_date: 2025-09-02
    material: false
    summary: One line that says what changed.
    ---

    Preamble paragraphs (become the section "introduction", with no heading).

    ## A. FIRST SECTION {#first}
    ...
    ## AUSTRALIA ADDENDUM {#australia-addendum jurisdiction=au}
    ...

Parsing is pure: it touches no database, so a malformed file is rejected before anything
is written. Every error names the file and the line.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .destinations import link_problems
from .rendering import render_markdown

FRONT_MATTER_KEYS = ("effective_date", "material", "summary", "language")
REQUIRED_KEYS = ("effective_date", "material")
# A translation names its language instead; whether a change is material is the English
# version's to say.
TRANSLATION_REQUIRED_KEYS = ("effective_date", "language", "summary")
SOURCE_LANGUAGE = "en"
TRANSLATION_FILE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.(?P<language>[a-z]+(?:-[a-z]+)?)\.md$")
SECTION_RE = re.compile(r"^##(?!#)\s*(?P<heading>.*?)\s*\{(?P<attrs>[^{}]*)\}\s*$")
ATTR_ANCHOR_RE = re.compile(r"^#([a-z0-9]+(?:-[a-z0-9]+)*)$")
ATTR_JURISDICTION_RE = re.compile(r"^jurisdiction=([a-z0-9-]+)$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_HEADING = 300
MAX_ANCHOR = 80
PREAMBLE_ANCHOR = "introduction"


class PolicySourceError(ValueError):
    """A policy file that cannot be imported; says which file and line."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class ParsedSection:
    order: int
    anchor: str
    heading: str
    body: str
    jurisdiction: str | None
    line: int
    body_line: int = 0  # the file line of the body's first line, for errors inside it


@dataclass(frozen=True)
class ParsedVersion:
    path: str
    effective_date: datetime.date
    material: bool
    summary: str
    sections: list[ParsedSection] = field(default_factory=list)
    sha256: str = ""
    language: str | None = None  # None: the English text; else a translation of it
    summary_line: int = 0

    @property
    def is_translation(self) -> bool:
        return self.language is not None

    def jurisdiction_codes(self) -> set[str]:
        return {s.jurisdiction for s in self.sections if s.jurisdiction}


def parse_policy_file(path: str | Path) -> ParsedVersion:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicySourceError(str(path), 0, f"cannot read the file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicySourceError(str(path), line, "the file is not valid UTF-8") from None
    parsed = parse_policy_text(text, path=str(path))
    named = TRANSLATION_FILE_RE.match(path.name)
    if named and named["language"] != parsed.language:
        raise PolicySourceError(
            str(path), 1, f"the file name says {named['language']!r} but its front matter says {parsed.language!r}"
        )
    if parsed.is_translation and not named:
        raise PolicySourceError(
            str(path), 1, f"name a translation YYYY-MM-DD.{parsed.language}.md, after the version and its language"
        )
    return parsed


def translation_languages() -> tuple[str, ...]:
    """The site's languages a policy text may be translated into (every one but English)."""
    from django.conf import settings

    return tuple(code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE)


def parse_policy_text(text: str, *, path: str = "<text>") -> ParsedVersion:
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    meta, body_start, summary_line = _parse_front_matter(lines, path)
    sections = _parse_sections(lines, body_start, path)
    _check_links(sections, path)
    # The checksum covers the normalised text, so line endings or a BOM don't count as a change.
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ParsedVersion(
        path=path,
        effective_date=meta["effective_date"],
        material=meta.get("material", False),
        summary=meta.get("summary", ""),
        sections=sections,
        sha256=sha,
        language=meta.get("language"),
        summary_line=summary_line,
    )


def _parse_front_matter(lines: list[str], path: str) -> tuple[dict, int, int]:
    if not lines or lines[0].strip() != "---":
        raise PolicySourceError(path, 1, "the file must start with front matter between '---' lines")
    meta: dict = {}
    summary_line = 0
    for index in range(1, len(lines)):
        line_no = index + 1
        line = lines[index]
        if line.strip() == "---":
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep:
            raise PolicySourceError(path, line_no, f"expected 'key: value', found {line.strip()!r}")
        if key not in FRONT_MATTER_KEYS:
            known = ", ".join(FRONT_MATTER_KEYS)
            raise PolicySourceError(path, line_no, f"unknown front matter key {key!r} (known: {known})")
        if key in meta:
            raise PolicySourceError(path, line_no, f"front matter key {key!r} is repeated")
        meta[key] = _front_matter_value(key, value, path, line_no)
        if key == "summary":
            summary_line = line_no
    else:
        raise PolicySourceError(path, len(lines), "front matter is not closed by a '---' line")
    translation = "language" in meta
    if translation and "material" in meta:
        raise PolicySourceError(
            path,
            index + 1,
            "a translation has no 'material' key: the English version says whether a change is material",
        )
    for key in TRANSLATION_REQUIRED_KEYS if translation else REQUIRED_KEYS:
        if key not in meta:
            raise PolicySourceError(path, index + 1, f"front matter lacks {key!r}")
    return meta, index + 1, summary_line


def _front_matter_value(key: str, value: str, path: str, line_no: int):
    if key == "effective_date":
        try:
            if not ISO_DATE_RE.match(value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise PolicySourceError(
                path, line_no, f"effective_date must be a real date as YYYY-MM-DD, not {value!r}"
            ) from None
    if key == "material":
        lowered = value.lower()
        if lowered not in {"true", "false"}:
            raise PolicySourceError(path, line_no, f"material must be true or false, not {value!r}")
        return lowered == "true"
    if key == "language":
        known = translation_languages()
        if value not in known:
            raise PolicySourceError(
                path, line_no, f"language must be one of {', '.join(known)} (English is the original), not {value!r}"
            )
    return value


def _check_links(sections: list[ParsedSection], path: str) -> None:
    """Refuse a site: destination we cannot resolve and a "click here" that links nowhere."""
    anchors = {section.anchor for section in sections}
    for section in sections:
        for kind, detail in link_problems(render_markdown(section.body), anchors=anchors):
            what = "unknown site destination" if kind == "unknown" else "a 'click here' phrase that links nowhere"
            raise PolicySourceError(path, section.line, f"section {section.anchor!r}: {what}: {detail}")


def _parse_sections(lines: list[str], start: int, path: str) -> list[ParsedSection]:
    # Collect (heading line index, heading, anchor, jurisdiction); the preamble has none.
    starts: list[tuple[int, str, str, str | None]] = []
    seen: dict[str, int] = {}
    in_fence = False
    for index in range(start, len(lines)):
        line = lines[index]
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence or not line.startswith("##") or line.startswith("###"):
            continue
        line_no = index + 1
        match = SECTION_RE.match(line)
        if not match:
            raise PolicySourceError(path, line_no, "a section heading must look like '## Heading {#anchor}'")
        heading = match["heading"]
        anchor, jurisdiction = _parse_attrs(match["attrs"], path, line_no)
        if not heading:
            raise PolicySourceError(path, line_no, "the section heading is empty")
        if len(heading) > MAX_HEADING:
            raise PolicySourceError(path, line_no, f"the heading is longer than {MAX_HEADING} characters")
        if anchor == PREAMBLE_ANCHOR:
            raise PolicySourceError(path, line_no, f"the anchor {anchor!r} is reserved for the preamble")
        if anchor in seen:
            raise PolicySourceError(path, line_no, f"duplicate anchor {anchor!r} (first used on line {seen[anchor]})")
        seen[anchor] = line_no
        starts.append((index, heading, anchor, jurisdiction))

    sections: list[ParsedSection] = []
    preamble_end = starts[0][0] if starts else len(lines)
    preamble = "\n".join(lines[start:preamble_end]).strip()
    if preamble:
        first = _first_text_line(lines, start)
        sections.append(ParsedSection(0, PREAMBLE_ANCHOR, "", preamble + "\n", None, first, first))
    for position, (index, heading, anchor, jurisdiction) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        body = "\n".join(lines[index + 1 : end]).strip()
        if not body:
            raise PolicySourceError(path, index + 1, f"section {anchor!r} has an empty body")
        sections.append(
            ParsedSection(
                len(sections), anchor, heading, body + "\n", jurisdiction, index + 1, _first_text_line(lines, index + 1)
            )
        )
    if not sections:
        raise PolicySourceError(path, start + 1, "the file has no policy text after the front matter")
    return sections


def _parse_attrs(attrs: str, path: str, line_no: int) -> tuple[str, str | None]:
    anchor = jurisdiction = None
    for token in attrs.split():
        if match := ATTR_ANCHOR_RE.match(token):
            if anchor:
                raise PolicySourceError(path, line_no, "a section has exactly one anchor")
            anchor = match[1]
        elif match := ATTR_JURISDICTION_RE.match(token):
            if jurisdiction:
                raise PolicySourceError(path, line_no, "a section has at most one jurisdiction")
            jurisdiction = match[1]
        else:
            raise PolicySourceError(
                path,
                line_no,
                f"unexpected {token!r} in '{{…}}': use '#anchor' (lowercase letters, digits, "
                "hyphens) and optionally 'jurisdiction=<code>'",
            )
    if not anchor:
        raise PolicySourceError(path, line_no, "the section has no '#anchor'")
    if len(anchor) > MAX_ANCHOR:
        raise PolicySourceError(path, line_no, f"the anchor is longer than {MAX_ANCHOR} characters")
    return anchor, jurisdiction


def _first_text_line(lines: list[str], start: int) -> int:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index + 1
    return start + 1
