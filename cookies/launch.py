"""The cookie groups and cookies this site sets, as loaded by ``manage.py load_cookie_groups``.

Texts are stored in English; the pages translate them through the catalogues, which is why
they are marked here. A text an editor changes in the admin is shown as typed.
"""

from django.conf import settings
from django.utils.translation import gettext_noop


def lifetime(seconds: int) -> int:
    return max(1, seconds // (24 * 60 * 60))


def groups() -> list[dict]:
    consent_days = settings.CONSENT_MAX_AGE_DAYS
    return [
        {
            "varname": "necessary",
            "name": gettext_noop("Strictly necessary"),
            "description": gettext_noop(
                "Needed for the site to work and to keep it secure: they remember your cookie "
                "choices and the region you picked, and protect forms against forgery. They cannot "
                "be switched off."
            ),
            "is_required": True,
            "is_deletable": False,
            "ordering": 0,
            "cookies": [
                {
                    "name": "csrftoken",
                    "description": gettext_noop("Protects the forms on this site against cross-site request forgery."),
                    "lifetime_days": lifetime(settings.CSRF_COOKIE_AGE),
                },
                {
                    "name": settings.COOKIE_CONSENT_NAME,
                    "description": gettext_noop("Remembers your choice for each cookie category."),
                    "lifetime_days": consent_days,
                },
                {
                    "name": settings.CONSENT_ID_COOKIE_NAME,
                    "description": gettext_noop(
                        "A random identifier that links your choices to our record of them, so that "
                        "we can show what you chose and when."
                    ),
                    "lifetime_days": consent_days,
                },
                {
                    "name": settings.NOTICES_REGION_COOKIE_NAME,
                    "description": gettext_noop(
                        "Remembers the region you chose, so that the policy shows the right addendum."
                    ),
                    "lifetime_days": 365,
                },
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "description": gettext_noop(
                        "Keeps staff signed in to the administration site. Not set for visitors."
                    ),
                    "lifetime_days": lifetime(settings.SESSION_COOKIE_AGE),
                },
                {
                    "name": "messages",
                    "description": gettext_noop(
                        "Carries a one-time confirmation between two pages of the administration "
                        "site. Not set for visitors."
                    ),
                    "lifetime_days": None,
                },
            ],
        },
        {
            "varname": "functional",
            "name": gettext_noop("Functional"),
            "description": gettext_noop(
                "Remember choices that make the site easier to use and more personal. This site sets "
                "none today; if it ever does, we will ask you again first."
            ),
            "ordering": 10,
            "cookies": [],
        },
        {
            "varname": "analytics",
            "name": gettext_noop("Analytics"),
            "description": gettext_noop(
                "Help us understand how the site is used, by counting visits with a random "
                "identifier. The data stays with us: no third party receives it."
            ),
            "ordering": 20,
            "cookies": [
                {
                    "name": "demo_analytics",
                    "description": gettext_noop(
                        "A random identifier set by our own demonstration analytics script to count "
                        "visits. Set only after you accept analytics cookies."
                    ),
                    "lifetime_days": 30,
                },
            ],
        },
        {
            "varname": "advertising",
            "name": gettext_noop("Advertising"),
            "description": gettext_noop(
                "Used by us and our partners to deliver personalised advertisements. This site sets "
                "none today; if it ever does, we will ask you again first. A Global Privacy Control "
                "signal from your browser always turns this category off."
            ),
            "ordering": 30,
            "cookies": [],
        },
    ]
