"""Site-wide views that sit outside the language prefix."""

import logging

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseNotFound, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.cache import GENERATION_KEY

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
    """Answer 200 when the database and the shared cache answer, 503 (and say which) otherwise."""
    checks = {"database": _database_ok, "cache": _cache_ok}
    status = {name: "ok" if check() else "unreachable" for name, check in checks.items()}
    healthy = all(value == "ok" for value in status.values())
    response = JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)
    patch_cache_control(response, no_store=True)
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return False
    return True


def _cache_ok() -> bool:
    # Every worker's pages and their invalidation go through the shared cache: a missing
    # cache table (createcachetable not run) or a Redis that is down must show here.
    try:
        cache.get(GENERATION_KEY)
    except Exception:
        logger.exception("health check: shared cache unreachable")
        return False
    return True


@require_safe
def robots_txt(request):
    body = f"User-agent: *\nDisallow: /admin/\n\nSitemap: {settings.SITE_URL}/sitemap.xml\n"
    return HttpResponse(body, content_type="text/plain")


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


def admin_login_locked_out(request, original_response=None, credentials=None):
    """The admin login page after too many failures (django-axes' AXES_LOCKOUT_CALLABLE).

    Every attempt during a lockout restarts the cool-off, so "in N minutes" counts from now.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "title": _("Too many login attempts"),
        "minutes": minutes,
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
    }
    response = render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    add_never_cache_headers(response)
    return response
