"""The organisation for pages rendered per request (the page footer names it)."""

from .organisation import organisation as current_organisation


def organisation(request):
    return {"organisation": current_organisation()}
