"""Values every page template needs, computed without touching the database."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info


def site(request):
    """Offer the language switcher as plain links to this page in every language."""
    full_path = request.get_full_path()
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
    return {"site_name": settings.NOTICES_SITE_NAME, "site_languages": languages}
