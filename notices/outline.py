"""The contents list's second level: the subsections (h3) inside a section's stored HTML.

Stored HTML is sanitised without ids (nh3), so each h3 gets one here, at display time,
from its section's anchor and its position: ``<anchor>-<n>``, stable for a given text and
never derived from the words (which differ per language). The words stay as published.
"""

import re
from dataclasses import dataclass

from django.utils.html import strip_tags

_H3 = re.compile(r"<h3>(.*?)</h3>", re.S)


@dataclass(frozen=True)
class Subsection:
    anchor: str
    heading: str


def outline(anchor: str, html: str) -> tuple[str, list[Subsection]]:
    """The section's HTML with an id on each h3, and the list of those subsections."""
    subsections: list[Subsection] = []

    def number(match):
        sub = Subsection(f"{anchor}-{len(subsections) + 1}", strip_tags(match.group(1)).strip())
        subsections.append(sub)
        return f'<h3 id="{sub.anchor}">{match.group(1)}</h3>'

    return _H3.sub(number, html), subsections
