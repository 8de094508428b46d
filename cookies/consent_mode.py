"""Google Consent Mode v2: what the visitor's consent means for each of Google's consent types.

Each cookie group names the types it grants (ConsentModeMapping, in the admin); a type is
"granted" while any group naming it may run (required groups always may), and "denied"
otherwise, including a type no group names. static/js/consent-mode.js pushes these values
as ``gtag('consent', 'default', …)`` before any tag runs, and static/js/consent.js as
``gtag('consent', 'update', …)`` when the visitor chooses.
"""

from .models import CONSENT_MODE_TYPES
from .selectors import Catalogue

TYPES = tuple(name for name, _label in CONSENT_MODE_TYPES)


def values(groups: Catalogue, accepted) -> dict[str, str]:
    """{"ad_storage": "denied", …} for every type, given the optional groups that may run."""
    allowed = set(accepted)
    granted = {
        consent_type
        for group in groups.groups
        if group.required or group.varname in allowed
        for consent_type in group.consent_types
    }
    return {name: "granted" if name in granted else "denied" for name in TYPES}
