"""Pages rendered once and served to everyone: their context can hold nothing of a visitor.

``render_shared`` renders without the request (no context processors, no CSRF token, no
query string as typed): the site-wide values come from ``site_context``, built from the
page's canonical path and the normalised parameters the view passes. Whatever differs per
visitor (consent banner, state, footer links) is spliced in afterwards by
cookies.middleware, the one place that does.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

from core.cache import cached
from core.delivery import Prepared
from core.organisation import organisation

from . import selectors


def site_context(path: str, query: dict[str, str] | None = None) -> dict:
    """What base.html needs: the site's name, the page in every language, the upcoming notice.

    Two addresses per language: ``url`` for the language switcher keeps the reading choice
    (``?jurisdiction=``); ``alternate``, for search engines, is the absolute address of the
    page itself, as is ``canonical_url`` (so every ``?jurisdiction=`` variant names one page).
    """
    full_path = path + (f"?{urlencode(query)}" if query else "")
    site_url = settings.SITE_URL
    languages = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        languages.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "url": translate_url(full_path, code),
                "alternate": site_url + translate_url(path, code),
            }
        )
    return {
        "site_name": settings.NOTICES_SITE_NAME,
        # Shared pages render without context processors: the footer's organisation comes here.
        "organisation": organisation(),
        "site_url": site_url,
        "site_languages": languages,
        "canonical_url": site_url + path,
        # Without a language prefix the site redirects by the browser's language
        # (LocaleMiddleware): what x-default is for, and what the sitemap names too.
        "x_default_url": site_url
        + translate_url(path, settings.LANGUAGE_CODE).replace(f"/{settings.LANGUAGE_CODE}/", "/", 1),
        "upcoming_notice": selectors.upcoming_notice(on=selectors.legal_today()),
        "page_path": path,
    }


def render_shared(key: tuple, template: str, build_context, *, path, query: dict | None = None) -> Prepared:
    """Render a page once per generation, language, legal day and key; reuse it after.

    Kept as UTF-8 bytes (encoding a 60 KB page on every request was a tenth of its cost),
    with its gzip pieces and digest made once too (core.delivery); ``.response()`` serves it.

    ``key`` must hold everything the page depends on besides those, as normalised values;
    ``path`` is the page's canonical path, or a function returning it (called only to build).
    """
    # The legal date is in every key: the upcoming notice and each version's state change at
    # midnight in the legal time zone.
    return cached(
        ("page", get_language(), selectors.legal_today(), *key),
        lambda: Prepared(
            render_to_string(
                template, {**site_context(path() if callable(path) else path, query), **build_context()}
            ).encode()
        ),
    )
