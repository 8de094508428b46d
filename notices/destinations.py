"""Site destinations in the policy source: ``[clicking here](site:requests)``.

Editors name a place on this site instead of writing its URL, so a link follows the page's
language (``/ko/…`` on a Korean page) and survives URL changes. Stored HTML keeps the
``site:`` href (rendering.py allows the scheme); a page resolves it when it is rendered,
once per language (selectors.render_document). The names map to URL *names*, so this
module imports no app above notices.

* ``site:<name>[?query]`` — a registered destination, the query passed on as written;
* ``site:section/<anchor>`` — a section of the same version: ``#<anchor>``.

Import and publish refuse a version whose links name an unknown destination or section,
or whose "click here" / "clicking here" / "here" phrases link nowhere.
"""

import html
import logging
import re
from html.parser import HTMLParser

from django.urls import NoReverseMatch, reverse
from django.utils import translation

logger = logging.getLogger(__name__)

SCHEME = "site:"
# name → (URL name, fragment)
DESTINATIONS: dict[str, tuple[str, str]] = {
    "requests": ("rights:request", ""),
    "cookie-settings": ("cookie_consent_cookie_group_list", "withdraw"),
    "cookies": ("cookie_consent_cookie_group_list", ""),
    "policy": ("notices:policy", ""),
    "versions": ("notices:version_list", ""),
    "subscribe": ("subscriptions:subscribe", ""),
}
SECTION_PREFIX = "section/"
QUERY_RE = re.compile(r"^[A-Za-z0-9_.~-]+=[A-Za-z0-9_.~-]*(&[A-Za-z0-9_.~-]+=[A-Za-z0-9_.~-]*)*$")
HREF_RE = re.compile(r'href="site:([^"]*)"')
# Phrases that promise an action and so must lead somewhere.
HERE_RE = re.compile(r"^\s*(click(ing)?\s+)?here\b", re.IGNORECASE)
DEAD_PHRASE_RE = re.compile(r"\bclick(ing)?\s+here\b", re.IGNORECASE)


class UnknownDestination(ValueError):
    pass


def resolve(target: str, *, anchors=None) -> str:
    """The URL of a ``site:`` target (without the scheme) in the active language."""
    if target.startswith(SECTION_PREFIX):
        anchor = target[len(SECTION_PREFIX) :]
        if not anchor or (anchors is not None and anchor not in anchors):
            raise UnknownDestination(target)
        return f"#{anchor}"
    name, _q, query = target.partition("?")
    if name not in DESTINATIONS or (query and not QUERY_RE.match(query)):
        raise UnknownDestination(target)
    url_name, fragment = DESTINATIONS[name]
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        raise UnknownDestination(target) from None
    return url + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


def resolve_html(markup: str, *, language: str) -> str:
    """Replace every ``href="site:…"`` in sanitised HTML with its URL in ``language``."""

    def replace(match):
        target = html.unescape(match.group(1))
        try:
            return f'href="{html.escape(resolve(target), quote=True)}"'
        except UnknownDestination:
            # Import and publish refuse these; one that slipped in links nowhere, not to a 404.
            logger.warning("unknown site destination %r left unlinked", target)
            return ""

    if SCHEME not in markup:
        return markup
    with translation.override(language):
        return HREF_RE.sub(replace, markup)


class _Links(HTMLParser):
    """Collect (href or None, text) of each link and the text outside links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str | None, str]] = []
        self.outside: list[str] = []
        self._href: str | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_endtag(self, tag):
        if tag == "a" and self._text is not None:
            self.links.append((self._href, "".join(self._text)))
            self._text = None

    def handle_data(self, data):
        (self._text if self._text is not None else self.outside).append(data)


def link_problems(rendered_html: str, *, anchors) -> list[tuple[str, str]]:
    """(problem, detail) for each unresolvable destination or dead "click here" in a section."""
    parser = _Links()
    parser.feed(rendered_html)
    parser.close()
    problems = []
    for href, text in parser.links:
        label = " ".join(text.split())
        if href and href.startswith(SCHEME):
            try:
                resolve(href[len(SCHEME) :], anchors=anchors)
            except UnknownDestination:
                problems.append(("unknown", f"{label} → {href}"))
        elif not href and HERE_RE.match(label):
            problems.append(("dead", label))
    outside = " ".join(" ".join(parser.outside).split())
    problems.extend(("dead", match.group(0)) for match in DEAD_PHRASE_RE.finditer(outside))
    return problems
