"""Turn editor Markdown into safe HTML, once, when text is saved or imported."""

import markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
# "site": a destination on this site, resolved per language when a page is rendered
# (notices.destinations).
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel", "site"}


def render_markdown(text: str) -> str:
    """Render Markdown (with tables) and strip anything an editor should not inject."""
    # A fresh Markdown instance per call: instances keep state between conversions.
    html = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html").convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
