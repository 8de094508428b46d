"""Configuration checks for the policy's languages."""

from django.conf import settings
from django.core import checks


@checks.register()
def prevailing_language_check(app_configs=None, **kwargs):
    # The note on every translated page names this language as the one that prevails; a
    # code the site does not publish in would name a text no reader can find.
    code = settings.NOTICES_PREVAILING_LANGUAGE
    if code not in {c for c, _name in settings.LANGUAGES}:
        return [
            checks.Error(
                f"NOTICES_PREVAILING_LANGUAGE is {code!r}, which is not one of the site's languages.",
                hint="Use one of: " + ", ".join(c for c, _name in settings.LANGUAGES) + " (the policy is in en).",
                id="notices.E001",
            )
        ]
    return []
