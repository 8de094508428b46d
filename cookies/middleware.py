"""Consent on every request: verify it, show it to the package, splice it into pages."""

import logging

from django.conf import settings
from django.db import DatabaseError

from core.visitor import visitor_for

from . import banner, choices
from .models import ConsentRecord
from .state import consent_for

logger = logging.getLogger(__name__)


class ConsentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = consent_for(request)
        # django-cookie-consent reads its cookie straight from request.COOKIES: give it the
        # verified decisions (GPC applied), never what an edited cookie claims.
        if state.gpc or settings.COOKIE_CONSENT_NAME in request.COOKIES:
            value = state.package_cookie_value()
            if value:
                request.COOKIES[settings.COOKIE_CONSENT_NAME] = value
            else:
                request.COOKIES.pop(settings.COOKIE_CONSENT_NAME, None)

        response = self.get_response(request)

        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            # The markers sit near the top of the page, so this finds them early.
            start = response.content.find(banner.PREFIX)
            if start >= 0:
                self._record_gpc(request, response, state)
                # Caching headers for the result: core.middleware, for every HTML page.
                banner.splice(request, response, state, start)
        if not getattr(request, "_consent_recorded", False):
            self._delete_refused_cookies(request, response, state)
        return response

    def _record_gpc(self, request, response, state) -> None:
        """Record a GPC signal once per browser, on the first page it reaches.

        Later requests find the refusal in the cookie and write nothing. When the database
        is unavailable the page is served anyway (the signal is honoured from the header
        alone) and the next page tries again.
        """
        if not state.gpc or not state.gpc_unrecorded or request.method not in ("GET", "HEAD"):
            return
        try:
            choices.record_choice(
                request,
                state,
                decisions=dict(state.stored),
                source=ConsentRecord.Source.GPC,
                shown=visitor_for(request).addenda_shown,
            )
        except DatabaseError:
            logger.exception("could not record a GPC signal; will try again on the next page")
        else:
            choices.remember(response, state)

    def _delete_refused_cookies(self, request, response, state) -> None:
        """Delete cookies of groups that may not run now (refused, expired, never accepted)."""
        refusable = state.groups.refusable_cookies
        for name in request.COOKIES:
            owner = refusable.get(name)
            if owner is not None and not state.effective.get(owner[0], False) and name not in response.cookies:
                cookie = owner[1]
                response.delete_cookie(name, path=cookie.path, domain=cookie.domain or None, samesite="Lax")
