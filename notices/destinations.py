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

A link whose whole text says nothing of where it leads ("here", "여기를 클릭", …) gets the
name of its destination as visually hidden text when the page is rendered, so a screen
reader's list of links and a search engine read "here (Privacy requests)": the published
words stay exactly as they are (their source is never rewritten), only the rendering says more.
"""

import html
import logging
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

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
# name → the title of the page it leads to (a heading on it, for a fragment), named inside a
# link whose text says nothing.
DESCRIPTIONS = {
    "requests": _("Privacy requests"),
    "cookie-settings": _("Withdraw consent"),
    "cookies": _("Cookie settings"),
    "policy": _("Privacy Policy"),
    "versions": _("Version history"),
    "subscribe": _("Change notices by email"),
}
# Whole link texts that say nothing of the destination (compared in lower case, spaces
# folded), in the site's languages: those of Lighthouse's link-text audit and the policy's own.
GENERIC_LINK_TEXT = frozenset(
    {
        *("here", "click here", "clicking here", "click this", "this", "link", "more", "read more", "learn more"),
        *("여기", "여기를 클릭", "클릭", "링크", "자세히", "자세히 보기"),
        *("ここ", "こちら", "ここをクリック", "こちらをクリック", "こちらをクリックする", "リンク", "詳細"),
        *("这里", "此处", "在此处", "点击这里", "点击此处", "链接", "更多"),
    }
)
LINK_RE = re.compile(r"<a\b([^>]*)>([^<]*)</a>")
HREF_ATTR_RE = re.compile(r'\bhref="([^"]*)"')
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


def describe(href: str) -> str:
    """What a link leads to, in the active language: a destination's page, another site's host."""
    if href.startswith(SCHEME):
        target = href[len(SCHEME) :]
        return "" if target.startswith(SECTION_PREFIX) else str(DESCRIPTIONS.get(target.partition("?")[0], ""))
    if href.startswith(("http://", "https://")):
        return urlsplit(href).hostname or ""
    return ""


def name_destinations(markup: str) -> str:
    """Add its destination, visually hidden, to each link whose whole text says nothing."""

    def replace(match):
        text = " ".join(html.unescape(match.group(2)).split()).lower()
        href = HREF_ATTR_RE.search(match.group(1))
        if text not in GENERIC_LINK_TEXT or href is None:
            return match.group(0)
        description = describe(html.unescape(href.group(1)))
        if not description:
            return match.group(0)
        hidden = f'<span class="visually-hidden"> ({html.escape(description, quote=False)})</span>'
        return f"<a{match.group(1)}>{match.group(2)}{hidden}</a>"

    return LINK_RE.sub(replace, markup)


def resolve_html(markup: str, *, language: str) -> str:
    """Replace every ``href="site:…"`` in sanitised HTML with its URL in ``language``, and name
    the destination of each link whose text says nothing (name_destinations)."""

    def replace(match):
        target = html.unescape(match.group(1))
        try:
            return f'href="{html.escape(resolve(target), quote=True)}"'
        except UnknownDestination:
            # Import and publish refuse these; one that slipped in links nowhere, not to a 404.
            logger.warning("unknown site destination %r left unlinked", target)
            return ""

    with translation.override(language):
        if "<a" in markup:
            markup = name_destinations(markup)
        return HREF_RE.sub(replace, markup) if SCHEME in markup else markup


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
