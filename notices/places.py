"""Country names in the visitor's language, from the Unicode CLDR (via Babel)."""

from functools import lru_cache

from babel import Locale, UnknownLocaleError


@lru_cache(maxsize=16)
def _territories(language: str) -> dict:
    try:
        return Locale.parse(language.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en").territories


def country_name(code: str | None, language: str) -> str:
    if not code:
        return ""
    return _territories(language).get(code.upper(), code.upper())
