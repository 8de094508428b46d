"""Site-wide views that sit outside the language prefix."""

import logging

from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseNotFound, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def root(request):
    """Send the visitor to the policy in the language their browser (or cookie) asks for."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = HttpResponseRedirect(reverse("notices:policy"))
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_safe
def healthz(request):
    """Answer 200 when the process is alive and the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        response = JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    patch_cache_control(response, no_store=True)
    return response


def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /admin/\n", content_type="text/plain")


def page_not_found(request, exception, template_name="404.html"):
    """Show the reason a view gave (a translated sentence), never a resolver's internals."""
    message = ""
    args = getattr(exception, "args", ())
    if not isinstance(exception, Resolver404) and isinstance(exception, Http404) and args:
        message = args[0] if isinstance(args[0], str) else ""
    body = loader.render_to_string(template_name, {"message": message}, request)
    return HttpResponseNotFound(body)


def csrf_failure(request, reason=""):
    """Explain a refused form in the visitor's language (an expired page, blocked cookies)."""
    return render(request, "403_csrf.html", status=403)
