"""Consent on every request: verify it, show it to the package, splice it into pages."""

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, transaction

from core import ratelimit
from core.visitor import visitor_for

from . import banner, choices
from . import state as state_module
from .models import ConsentRecord
from .state import consent_for, new_consent_id

logger = logging.getLogger(__name__)

GPC_ONCE_WINDOW = datetime.timedelta(minutes=1)


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
        """Record a GPC signal once per browser that keeps cookies, never once per request.

        A browser without a consent id gets one (a signed cookie, no record): the signal is
        honoured from the header on this page and every later one. It is recorded when the
        browser returns that id, i.e. keeps cookies: a script that drops them writes nothing,
        however many requests it sends. Later requests find the refusal in the cookie and
        write nothing either. A network that keeps fetching fresh ids is capped at
        CONSENT_GPC_RECORDS_PER_HOUR records an hour. When the database is unavailable the
        page is served anyway and the next page tries again.
        """
        if not state.gpc or not state.gpc_unrecorded or request.method not in ("GET", "HEAD"):
            return
        if state.proof is None:
            state_module.write_pending_id(response, new_consent_id())
            return
        try:
            if not ratelimit.hit(
                scope="cookies.gpc-record",
                value=visitor_for(request).network or "unknown",
                limit=settings.CONSENT_GPC_RECORDS_PER_HOUR,
                window=datetime.timedelta(hours=1),
            ):
                logger.warning("GPC records from one network over the hourly limit; honoured, not recorded")
                return
            with transaction.atomic():
                # Two pages loaded at once carry the same cookie, and each would record the
                # signal: one record per browser a minute, counted in the database with the
                # write (a record that fails is not counted). The other page honours the
                # signal; the cookie this one sets tells later pages it is recorded.
                if not ratelimit.hit(
                    scope="cookies.gpc-once", value=state.proof.consent_id, limit=1, window=GPC_ONCE_WINDOW
                ):
                    return
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
