"""Values every page template needs, computed without touching the database."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

from notices import selectors

# Query parameters that change what a page shows; others are dropped from the links, so a
# cached page never carries whatever a visitor appended to their own URL.
KEPT_PARAMETERS = ("jurisdiction",)


def site(request):
    """Offer the language switcher as plain links to this page in every language."""
    kept = {key: request.GET[key] for key in KEPT_PARAMETERS if request.GET.get(key)}
    full_path = request.path + (f"?{urlencode(kept)}" if kept else "")
    languages = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        languages.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "url": translate_url(full_path, code),
            }
        )
    return {
        "site_name": settings.NOTICES_SITE_NAME,
        "site_languages": languages,
        "upcoming_notice": selectors.upcoming_notice(on=selectors.legal_today()),
    }
