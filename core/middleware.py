"""The one early middleware: it makes ``request.visitor``, and finishes every response it sees.

On the way out it is the one place that decides how HTML may be cached: every page carries
the visitor's consent state (and may carry a CSRF token), so no shared cache may keep one,
and the browser asks again each time (with the ETag, so an unchanged page costs a 304). A
view that forbade storing (``never_cache``) keeps its stricter header. Then core.delivery
adds the validators and compression, the Permissions-Policy is set, and a HEAD loses its
body. It also turns a database that went away into a 503 with Retry-After.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from .delivery import deliver
from .location import trusted_headers
from .visitor import Visitor

logger = logging.getLogger(__name__)

HTML_CACHE_CONTROL = "private, no-cache, max-age=0"


def is_outage(exception: BaseException) -> bool:
    """The database cannot be reached or cannot be written (SQLite says so with an
    OperationalError; PostgreSQL in a read-only transaction, e.g. a replica after a failover,
    with an InternalError)."""
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    return isinstance(exception, InternalError) and "read-only" in str(exception)


RETRY_AFTER_SECONDS = 5


def finish_html(response) -> None:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return
    if "no-store" not in response.get("Cache-Control", ""):
        response.headers["Cache-Control"] = HTML_CACHE_CONTROL
    # What the page depends on besides its URL: cookies (consent, region choice, CSRF) and
    # the location headers a trusted CDN adds. A GeoIP lookup depends on the address,
    # which no Vary can name; "private" covers it. Accept-Encoding: core.delivery gzips.
    patch_vary_headers(response, ("Cookie", "Accept-Encoding", *trusted_headers()))


class VisitorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.visitor = Visitor(request)
        response = self.get_response(request)
        finish_html(response)
        response = deliver(request, response)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.method == "HEAD" and not response.streaming:
            # Headers as for GET (Content-Length included), no body: gunicorn would otherwise
            # drop it with a warning on every HEAD a monitor sends.
            response.content = b""
        return response

    def process_exception(self, request, exception):
        return outage_response(request, exception)


def outage_response(request, exception: BaseException | None):
    """The 503 for a database outage, or None for any other exception.

    Only a database that cannot be reached or written is an outage; an IntegrityError is a
    bug and stays a 500.
    """
    if exception is None or not is_outage(exception):
        return None
    logger.error("database unavailable: %s %s", request.method, request.path, exc_info=exception)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # logged above: Django would log the 503 again
    return response
