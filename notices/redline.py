"""Compare two versions for people to read: section by section, block by block, word by word.

Each section's HTML is split into blocks (paragraphs, headings, list items with their
numbers, tables); the blocks of the two versions are aligned with difflib's
SequenceMatcher, and matched blocks are compared word by word, so a change shows where it
is: inside its paragraph, its list item, or its table cell (a real ``<table>`` with
``<ins>``/``<del>`` inside the ``<td>``). Words keep their links and emphasis.

Texts are compared in one language. Where a section has no translation in one of the two
versions (so it would show in English there), both sides are compared in English and the
section says so, rather than presenting a translation against English as a change.
"""

import difflib
import re
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import htmlblocks
from .models import PolicyVersion
from .updates import placeholder

# Whitespace runs, single CJK characters (those scripts don't separate words by spaces),
# words, and single punctuation marks.
TOKEN_RE = re.compile(r"\s+|[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|\w+|[^\w\s]")

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


# --- words -----------------------------------------------------------------------------------


def _tokens(runs: list[htmlblocks.Run]) -> list[tuple]:
    """(text, href, emphasis) per word: links and emphasis travel with their words."""
    tokens = []
    for run in runs:
        if run.text == "\n":
            tokens.append(("\n", run.href, run.marks))
            continue
        tokens.extend((word, run.href, run.marks) for word in TOKEN_RE.findall(run.text))
    return tokens


def _render_tokens(tokens: list[tuple]) -> str:
    out = []
    i = 0
    while i < len(tokens):
        href, marks = tokens[i][1], tokens[i][2]
        j = i
        while j < len(tokens) and tokens[j][1:] == (href, marks):
            j += 1
        text = "".join("<br>" if t[0] == "\n" else escape(t[0]) for t in tokens[i:j])
        for mark in reversed(marks):
            text = f"<{mark}>{text}</{mark}>"
        if href:
            text = f'<a href="{escape(href)}">{text}</a>'
        out.append(text)
        i = j
    return "".join(out)


def _marked(tag: str, tokens: list[tuple]) -> str:
    if not tokens:
        return ""
    label = escape(_("removed:") if tag == "del" else _("added:"))
    return (
        f'<{tag}><span class="visually-hidden">[{label} </span>{_render_tokens(tokens)}'
        f'<span class="visually-hidden">]</span></{tag}>'
    )


def diff_runs(old: list[htmlblocks.Run], new: list[htmlblocks.Run]) -> tuple[str, bool]:
    """HTML of ``new`` with the words removed from ``old`` in <del> and the added in <ins>."""
    a, b = _tokens(old), _tokens(new)
    out, changed = [], False
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_render_tokens(b[j1:j2]))
            continue
        changed = True
        if op in ("delete", "replace"):
            out.append(_marked("del", a[i1:i2]))
        if op in ("insert", "replace"):
            out.append(_marked("ins", b[j1:j2]))
    return "".join(out), changed


def diff_words(old: str, new: str) -> str:
    """Word diff of two plain strings (headings)."""
    return diff_runs([htmlblocks.Run(old)], [htmlblocks.Run(new)])[0]


# --- blocks ----------------------------------------------------------------------------------


def _render_block(block: htmlblocks.Block, inner: str) -> str:
    if block.kind == "li":
        return f'<li value="{block.number}">{inner}</li>' if block.number else f"<li>{inner}</li>"
    return f"<{block.kind}>{inner}</{block.kind}>"


def _whole(block: htmlblocks.Block, tag: str) -> str:
    """A block only one side has: every word of it inside <ins> or <del>."""
    if block.kind == "table":
        rows = [[_marked(tag, _tokens(cell.runs)) for cell in row] for row in block.rows]
        return _render_table(block, rows, row_class=f"row-{'added' if tag == 'ins' else 'removed'}")
    if block.kind == "hr":
        return "<hr>"
    return _render_block(block, _marked(tag, _tokens(block.runs)))


def _render_table(block: htmlblocks.Block, rows: list[list[str]], *, row_class: str = "", classes=None) -> str:
    out = ['<div class="table-scroll"><table>']
    for index, row in enumerate(rows):
        header = block.rows[index] if index < len(block.rows) else []
        css = (classes[index] if classes else row_class) or ""
        out.append(f'<tr class="{css}">' if css else "<tr>")
        for position, cell in enumerate(row):
            tag = "th" if position < len(header) and header[position].header else "td"
            scope = ' scope="col"' if tag == "th" and index == 0 else ""
            out.append(f"<{tag}{scope}>{cell}</{tag}>")
        out.append("</tr>")
    out.append("</table></div>")
    return "".join(out)


def _diff_table(old: htmlblocks.Block, new: htmlblocks.Block) -> tuple[str, bool]:
    """Rows aligned like blocks; within a matched row, each cell compared word by word."""
    a = [row_key(r) for r in old.rows]
    b = [row_key(r) for r in new.rows]
    rows, classes, shown, changed = [], [], [], False
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            for k in range(j2 - j1):
                rows.append([_render_tokens(_tokens(c.runs)) for c in new.rows[j1 + k]])
                classes.append("")
                shown.append(new.rows[j1 + k])
            continue
        changed = True
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            before, after = old.rows[i1 + k], new.rows[j1 + k]
            cells = []
            for position in range(max(len(before), len(after))):
                was = before[position].runs if position < len(before) else []
                now = after[position].runs if position < len(after) else []
                cells.append(diff_runs(was, now)[0])
            rows.append(cells)
            classes.append("row-changed")
            shown.append(after)
        for row in old.rows[i1 + pairs : i2]:
            rows.append([_marked("del", _tokens(c.runs)) for c in row])
            classes.append("row-removed")
            shown.append(row)
        for row in new.rows[j1 + pairs : j2]:
            rows.append([_marked("ins", _tokens(c.runs)) for c in row])
            classes.append("row-added")
            shown.append(row)
    shape = htmlblocks.Block("table", rows=shown)
    return _render_table(shape, rows, classes=classes), changed


def row_key(row) -> str:
    return "\x1f".join(cell.text for cell in row)


def diff_blocks(old_html: str, new_html: str) -> tuple[str, bool]:
    """The redline of two sections' HTML, keeping their blocks; and whether anything changed."""
    old, new = htmlblocks.blocks(old_html), htmlblocks.blocks(new_html)
    a, b = [blk.key for blk in old], [blk.key for blk in new]
    pieces, changed = [], False
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.extend((blk, _render_same(blk)) for blk in new[j1:j2])
            continue
        changed = True
        olds, news = old[i1:i2], new[j1:j2]
        while olds and news and olds[0].kind == news[0].kind:
            before, after = olds.pop(0), news.pop(0)
            if after.kind == "table":
                html, _changed = _diff_table(before, after)
            else:
                inner, _changed = diff_runs(before.runs, after.runs)
                html = _render_block(after, inner)
            pieces.append((after, html))
        pieces.extend((blk, _whole(blk, "del")) for blk in olds)
        pieces.extend((blk, _whole(blk, "ins")) for blk in news)
    return _assemble(pieces), changed


def _render_same(block: htmlblocks.Block) -> str:
    if block.kind == "table":
        return _render_table(block, [[_render_tokens(_tokens(c.runs)) for c in row] for row in block.rows])
    if block.kind == "hr":
        return "<hr>"
    return _render_block(block, _render_tokens(_tokens(block.runs)))


def _assemble(pieces: list[tuple[htmlblocks.Block, str]]) -> str:
    """Put consecutive list items back into lists (numbered ones keep their numbers)."""
    out, open_list = [], None
    for block, html in pieces:
        wanted = (block.list_tag, block.depth) if block.kind == "li" else None
        if wanted != open_list:
            if open_list:
                out.append(f"</{open_list[0]}>")
            if wanted:
                out.append(f'<{wanted[0]} class="redline-list depth-{wanted[1]}">')
            open_list = wanted
        out.append(html)
    if open_list:
        out.append(f"</{open_list[0]}>")
    return "".join(out)


# --- sections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionChange:
    anchor: str
    heading: str
    region: str  # the jurisdiction's name for an addendum, else ""
    status: str  # ADDED, REMOVED, CHANGED or UNCHANGED
    html: str
    jurisdiction: str = ""  # the addendum's code, for "what changed for your region"
    lang: str = ""  # the language the texts were compared in
    note: str = ""  # e.g. why this section was compared in English


def _has_text(section, suffix: str) -> bool:
    return bool(getattr(section, f"body_{suffix}", "") or "")


def _text(section, suffix: str) -> tuple[str, str]:
    heading = getattr(section, f"heading_{suffix}", "") or section.heading_en or ""
    html = getattr(section, f"body_html_{suffix}", "") or ""
    return heading, placeholder(html)


def compare_versions(old: PolicyVersion, new: PolicyVersion, *, language: str | None = None) -> list[SectionChange]:
    """Every section of either version, in the new version's order (removed ones last)."""
    from django.utils.translation import get_language

    language = language or get_language() or settings.LANGUAGE_CODE
    old_sections = {s.anchor: s for s in old.sections.select_related("jurisdiction").order_by("order", "pk")}
    changes = []
    for section in new.sections.select_related("jurisdiction").order_by("order", "pk"):
        before = old_sections.pop(section.anchor, None)
        changes.append(_compare_section(before, section, old, new, language))
    for section in old_sections.values():
        changes.append(_compare_section(section, None, old, new, language))
    return changes


def _compare_section(before, after, old_version, new_version, language) -> SectionChange:
    suffix = language.replace("-", "_")
    present = [s for s in (before, after) if s is not None]
    note, compared = "", language
    if language != "en":
        missing = [s for s in present if not _has_text(s, suffix)]
        if missing:
            compared, suffix = "en", "en"
            if len(missing) < len(present):
                version = old_version if missing[0] is before else new_version
                note = _(
                    "No translation in the version effective %(date)s, which shows this section in "
                    "English: compared in English rather than across two languages."
                ) % {"date": version.effective_date.isoformat()}
    with override(compared):
        old_heading, old_html = _text(before, suffix) if before else ("", "")
        new_heading, new_html = _text(after, suffix) if after else ("", "")
        body, body_changed = diff_blocks(old_html, new_html)
        heading_changed = before is not None and after is not None and old_heading != new_heading
        if heading_changed:
            body = f'<p class="diff-heading">{escape(_("Heading:"))} {diff_words(old_heading, new_heading)}</p>{body}'
    if before is None:
        status = ADDED
    elif after is None:
        status = REMOVED
    else:
        status = CHANGED if (body_changed or heading_changed) else UNCHANGED
    shown = after or before
    heading = (new_heading or old_heading) or _("Introduction")
    region = shown.jurisdiction.name if shown.jurisdiction else ""
    code = shown.jurisdiction.code if shown.jurisdiction else ""
    return SectionChange(shown.anchor, heading, region, status, body, code, compared, note)


def html_to_text(html: str) -> str:
    """Plain text of sanitised section HTML: one block per line, cells separated by ' | '."""
    lines = []
    for block in htmlblocks.blocks(html):
        if block.kind == "table":
            lines.extend(" | ".join(cell.text for cell in row) for row in block.rows)
        elif block.text:
            lines.append(block.text)
    return "\n".join(lines)
