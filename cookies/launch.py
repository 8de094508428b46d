"""The cookie groups and cookies this site sets, as loaded by ``manage.py load_cookie_groups``.

Texts are stored in English; the pages translate them through the catalogues, which is why
they are marked here. A text an editor changes in the admin is shown as typed.
"""

from django.conf import settings
from django.utils.translation import gettext_noop

from .rules import CALIFORNIA_LABEL, OPT_IN, OPT_OUT, OPT_OUT_LABEL


def lifetime(seconds: int) -> int:
    return max(1, seconds // (24 * 60 * 60))


def groups() -> list[dict]:
    consent_days = settings.CONSENT_MAX_AGE_DAYS
    return [
        {
            "varname": "necessary",
            "consent_types": ["security_storage"],
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
            "consent_types": ["functionality_storage", "personalization_storage"],
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
            "consent_types": ["analytics_storage"],
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
            "consent_types": ["ad_storage", "ad_user_data", "ad_personalization"],
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


EEA_UK = (
    "AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE,"  # EU
    "IS,LI,NO,"  # the rest of the EEA
    "GB"
)
REST_OF_EUROPE = "AD,AL,AX,BA,BY,CH,FO,GG,GI,IM,JE,MC,MD,ME,MK,RS,RU,SJ,SM,UA,VA,XK"
# US states with a comprehensive privacy law giving a right to opt out of sale and targeted
# advertising (California has its own rule, with the wording its law prescribes).
US_STATES = (
    ("us-co", gettext_noop("Colorado"), "US-CO"),
    ("us-ct", gettext_noop("Connecticut"), "US-CT"),
    ("us-va", gettext_noop("Virginia"), "US-VA"),
    ("us-ut", gettext_noop("Utah"), "US-UT"),
    ("us-tx", gettext_noop("Texas"), "US-TX"),
    ("us-or", gettext_noop("Oregon"), "US-OR"),
    ("us-mt", gettext_noop("Montana"), "US-MT"),
    ("us-ia", gettext_noop("Iowa"), "US-IA"),
    ("us-de", gettext_noop("Delaware"), "US-DE"),
    ("us-nh", gettext_noop("New Hampshire"), "US-NH"),
    ("us-nj", gettext_noop("New Jersey"), "US-NJ"),
    ("us-ne", gettext_noop("Nebraska"), "US-NE"),
    ("us-tn", gettext_noop("Tennessee"), "US-TN"),
    ("us-mn", gettext_noop("Minnesota"), "US-MN"),
    ("us-md", gettext_noop("Maryland"), "US-MD"),
    ("us-in", gettext_noop("Indiana"), "US-IN"),
    ("us-ky", gettext_noop("Kentucky"), "US-KY"),
    ("us-ri", gettext_noop("Rhode Island"), "US-RI"),
)


def consent_rules() -> list[dict]:
    """The launch consent rules: also what migration 0006 writes."""
    rules = [
        {"code": "eea-uk", "name": gettext_noop("EEA and United Kingdom"), "places": EEA_UK, "consent_model": OPT_IN},
        {"code": "europe", "name": gettext_noop("Rest of Europe"), "places": REST_OF_EUROPE, "consent_model": OPT_IN},
        {"code": "kr", "name": gettext_noop("South Korea"), "places": "KR", "consent_model": OPT_IN},
        {
            "code": "us-ca",
            "name": gettext_noop("California"),
            "places": "US-CA",
            "consent_model": OPT_OUT,
            "show_link": True,
            "link_label": CALIFORNIA_LABEL,
        },
    ]
    rules += [
        {
            "code": code,
            "name": name,
            "places": place,
            "consent_model": OPT_OUT,
            "show_link": True,
            "link_label": OPT_OUT_LABEL,
        }
        for code, name, place in US_STATES
    ]
    rules += [
        {
            # A US visitor whose state is unknown may be in one with a law: the link too.
            "code": "us",
            "name": gettext_noop("United States: other states, or state unknown"),
            "places": "US",
            "consent_model": OPT_OUT,
            "show_link": True,
            "link_label": OPT_OUT_LABEL,
        },
        {"code": "other", "name": gettext_noop("Everywhere else"), "places": "", "consent_model": OPT_IN},
    ]
    for ordering, rule in enumerate(rules):
        rule.setdefault("show_link", False)
        rule.setdefault("link_label", "")
        rule["honour_gpc"] = True
        rule["ordering"] = ordering * 10
    return rules
