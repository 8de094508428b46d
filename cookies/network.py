"""The visitor's browser, reduced to what a consent record may keep (the address: core)."""

from django.conf import settings


def truncated_user_agent(request) -> str:
    value = request.META.get("HTTP_USER_AGENT", "")
    # Control characters have no place in a record that is exported as CSV.
    value = "".join(ch for ch in value if ch.isprintable())
    return value[: settings.CONSENT_USER_AGENT_LENGTH]
