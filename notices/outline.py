"""A section's stored HTML made ready to display: subsection ids and scrollable tables.

Stored HTML is sanitised without ids (nh3), so each h3 gets one here, at display time,
from its section's anchor and its position: ``<anchor>-<n>``, stable for a given text and
never derived from the words (which differ per language); they feed the contents list's
second level. Each table is wrapped in a box that scrolls sideways on a narrow screen, a
named region that takes keyboard focus so it can be scrolled without a mouse. The words
stay as published. Table cells whose lines are a list (the seed writes lists in cells as
lines separated by <br>, since Markdown tables hold no blocks) become real lists; a line in
parentheses ("(Mandatory Consent)") stays with the line before it.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _

_H3 = re.compile(r"<h3>(.*?)</h3>", re.S)
_TABLE = re.compile(r"<table>.*?</table>", re.S)
_CELL = re.compile(r"<td( [^>]*)?>(.*?)</td>", re.S)
_BREAK = re.compile(r"<br ?/?>")


@dataclass(frozen=True)
class Subsection:
    anchor: str
    heading: str


def outline(anchor: str, html: str, heading: str = "") -> tuple[str, list[Subsection]]:
    """The section's HTML with an id on each h3 and each table in a scroll box, and the list
    of its subsections."""
    subsections: list[Subsection] = []
    tables = 0

    def box(match):
        nonlocal tables
        tables += 1
        # Each region needs a name of its own (axe landmark-unique): the section and the number.
        label = _("Table %(number)s in “%(section)s” (scrolls sideways on a narrow screen)") % {
            "number": tables,
            "section": heading or anchor,
        }
        return (
            f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(label)}">{match.group(0)}</div>'
        )

    def number(match):
        sub = Subsection(f"{anchor}-{len(subsections) + 1}", strip_tags(match.group(1)).strip())
        subsections.append(sub)
        return f'<h3 id="{sub.anchor}">{match.group(1)}</h3>'

    html = _CELL.sub(_cell_list, _TABLE.sub(box, html)) if "<br" in html else _TABLE.sub(box, html)
    return _H3.sub(number, html), subsections


def _cell_list(match) -> str:
    attributes, inner = match.group(1) or "", match.group(2)
    items: list[str] = []
    for line in _BREAK.split(inner):
        if items and line.strip().startswith("("):
            items[-1] += "<br>" + line
        elif line.strip():
            items.append(line)
    if len(items) < 2:
        return match.group(0)
    lines = "".join(f"<li>{item.strip()}</li>" for item in items)
    return f'<td{attributes}><ul class="cell-list">{lines}</ul></td>'
