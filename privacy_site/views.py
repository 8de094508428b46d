"""Site-wide views that sit outside the language prefix."""

import logging
import sys

from django.conf import settings
from django.contrib import admin
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotFound,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import health
from core.middleware import outage_response

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
    """200 when the database takes writes, the shared cache answers and the task queue moves;
    503 otherwise, naming what is wrong (core.health says why each matters)."""
    task_status, task_details = health.tasks()
    status = {"database": health.database(), "cache": health.shared_cache(), "tasks": task_status}
    healthy = all(value == "ok" for value in status.values())
    body = {"status": "ok" if healthy else "error", **status, **task_details}
    response = JsonResponse(body, status=200 if healthy else 503)
    patch_cache_control(response, no_store=True)
    return response


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


def bad_request(request, exception, template_name="400.html"):
    """Django's 400 page without its requires_csrf_token, which checks the form's token first.

    A form declaring a charset other than UTF-8 raises BadRequest on every read of
    request.POST (Django leaves it unparsed): the check read it again inside the handler,
    and the visitor got a 500. The page's CSRF cookie still comes from the middleware.
    """
    return HttpResponseBadRequest(loader.render_to_string(template_name, request=request))


def server_error(request, template_name="500.html"):
    """Django's 500 page, or the 503 when what failed was the database.

    The 400, 403 and 404 pages carry the consent banner, which the database serves: with it
    down, rendering one raised outside any view, where VisitorMiddleware cannot answer, and
    Django called this handler.
    """
    response = outage_response(request, sys.exc_info()[1])
    if response is not None:
        return response
    return HttpResponseServerError(loader.render_to_string(template_name))


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
