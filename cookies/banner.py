"""Splice the visitor's consent into a page that may have come whole from the cache.

Pages carry fixed markers instead of anything visitor-specific, so they can be rendered
once and served to everyone. Per request this module adds, in place of the markers, the
visitor's consent state for the script, the banner until they choose (rendered once per
language and variant, with their CSRF token and return address filled in), and the
region's footer links (the opt-out link its consent rule asks for). It costs string
operations only: no SQL query, no template.
"""

import json

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import get_language

from core.visitor import visitor_for

from . import consent_mode
from .choices import form_context
from .models import ConsentRecord
from .state import ConsentState

PREFIX = b"<!--cookie-consent"
BANNER = b"<!--cookie-consent:banner-->"  # the state, and the banner until a choice is made
QUIET = b"<!--cookie-consent:quiet-->"  # the state only (the cookie settings page)
FOOTER = b"<!--cookie-consent:footer-->"
CSRF_SLOT = "__CONSENT_CSRF__"
NEXT_SLOT = "__CONSENT_NEXT__"
CONTEXT_SLOT = "__CONSENT_CONTEXT__"
MAX_NEXT_LENGTH = 1000
# The group whose demonstration script has a no-script pixel.
PIXEL_GROUP = "analytics"


def _cached(state: ConsentState, key: tuple, build) -> str:
    fragments = state.groups.fragments
    found = fragments.get(key)
    if found is None:
        found = fragments[key] = build()
    return found


def banner_html(state: ConsentState, language: str) -> str:
    key = ("banner", language, state.model, state.link_label, state.gpc)
    return _cached(
        state,
        key,
        lambda: render_to_string(
            "cookies/_banner.html",
            {
                "model": state.model,
                "link_label": state.link_label,
                "gpc": state.gpc,
                "accept_url": reverse("cookie_consent_accept"),
                "decline_url": reverse("cookie_consent_decline"),
                "settings_url": reverse("cookie_consent_cookie_group_list"),
                "csrf_slot": CSRF_SLOT,
                "next_slot": NEXT_SLOT,
                "context_slot": CONTEXT_SLOT,
            },
        ),
    )


def footer_html(state: ConsentState, language: str) -> str:
    if not (state.do_not_sell or state.gpc):
        return ""
    key = ("footer", language, state.link_label, state.gpc)
    return _cached(
        state,
        key,
        lambda: render_to_string(
            "cookies/_footer.html",
            {
                "link_label": state.link_label,
                "gpc": state.gpc,
                "settings_url": reverse("cookie_consent_cookie_group_list"),
            },
        ),
    )


def state_html(state: ConsentState) -> str:
    accepted = state.accepted
    key = ("state", accepted, state.gpc)

    def build():
        # Group names are slugs (the package validates them), so this JSON needs no escaping
        # beyond what json.dumps does; "<" cannot occur.
        data = json.dumps(
            {
                "accepted": list(accepted),
                "gpc": state.gpc,
                "consentMode": consent_mode.values(state.groups, accepted),
            },
            separators=(",", ":"),
        )
        html = (
            f'<script type="application/json" id="cookie-consent-state">{data}</script>'
            # Synchronous, right after the state it reads: the Consent Mode defaults are in
            # dataLayer before any tag on the page can run (gated tags start later).
            f'<script src="{escape(static("js/consent-mode.js"))}"></script>'
            '<div id="cookie-consent-status" class="visually-hidden" role="status" aria-live="polite"></div>'
        )
        if PIXEL_GROUP in accepted:
            # Without JavaScript the gated script cannot run; its pixel stands in for it.
            html += (
                f'<noscript><img class="demo-pixel" src="{escape(reverse("cookies_demo_pixel"))}"'
                ' alt="" width="1" height="1"></noscript>'
            )
        return html

    return _cached(state, key, build)


def banner_context(state: ConsentState, shown: tuple[str, ...]) -> str:
    """The banner forms' signed context; signed once per set of addenda, not per request."""
    return _cached(state, ("context", shown), lambda: form_context(ConsentRecord.Source.BANNER, shown))


def return_address(request) -> str:
    path = request.get_full_path()
    return path if len(path) <= MAX_NEXT_LENGTH else request.path[:MAX_NEXT_LENGTH]


def splice(request, response, state: ConsentState, start: int) -> bool:
    """Fill the markers of an HTML response, the first at ``start``; return whether it had any.

    The page is copied once: the pieces are joined around the two markers.
    """
    content = response.content
    language = get_language() or settings.LANGUAGE_CODE
    piece = state_html(state)
    if content.startswith(BANNER, start):
        end = start + len(BANNER)
        if state.needs_banner:
            piece += (
                banner_html(state, language)
                .replace(CSRF_SLOT, get_token(request))
                .replace(NEXT_SLOT, escape(return_address(request)))
                .replace(CONTEXT_SLOT, banner_context(state, visitor_for(request).addenda_shown))
            )
    elif content.startswith(QUIET, start):
        end = start + len(QUIET)
    else:
        return False
    # memoryview slices: the page is copied once, by the join.
    view = memoryview(content)
    parts = [view[:start], piece.encode()]
    # The footer is near the end: search from there.
    footer = content.rfind(FOOTER, end)
    if footer >= 0:
        parts += [view[end:footer], footer_html(state, language).encode(), view[footer + len(FOOTER) :]]
    else:
        parts.append(view[end:])
    response.content = b"".join(parts)
    return True
