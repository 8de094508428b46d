"""base.html's values for pages rendered per request (forms, the cookie settings page)."""

from .pages import site_context


def site(request):
    # The path only: a query string as the visitor typed it has no place in links.
    return site_context(request.path)
