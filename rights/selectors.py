"""Reads for the form and the queue."""

from core.location import Location
from notices.geo import jurisdictions_at

from .choices import Law

# When several addenda apply at one place, the most specific law first.
PREFERENCE = (Law.US_CA, Law.KR, Law.EEA_UK, Law.AU, Law.PH)


def law_at(location: Location) -> str:
    """The jurisdiction to pre-select for a visitor's location; "" when it is unknown."""
    if location.country is None:
        return ""
    codes = set(jurisdictions_at(location))
    for law in PREFERENCE:
        if law.value in codes:
            return law.value
    return Law.OTHER.value
