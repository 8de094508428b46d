"""``request.visitor``: who is asking, worked out once per request.

* ``address``: the client address (REMOTE_ADDR, or the trusted X-Forwarded-For hop);
* ``location``: where that is (trusted CDN headers, then GeoIP), never what the visitor
  chose to read;
* ``consent``: the visitor's cookie consent, from the app that registered a resolver
  (cookies), so this layer imports no app;
* ``addenda_shown``: the regional addenda the page being served shows, set by the view
  that renders them, so that a record of a choice made on the page can say so.
"""

from collections.abc import Callable

from . import location as places

_consent_resolver: Callable | None = None


def set_consent_resolver(resolver: Callable) -> None:
    """Called once by the app that owns consent, from its AppConfig.ready()."""
    global _consent_resolver
    _consent_resolver = resolver


class Visitor:
    def __init__(self, request):
        self._request = request
        self.address = places.client_address(request.META)
        self._location: places.Location | None = None
        self._consent = None
        self.addenda_shown: tuple[str, ...] = ()

    @property
    def location(self) -> places.Location:
        if self._location is None:
            self._location = places.locate(self._request.META, self.address)
        return self._location

    @property
    def network(self) -> str:
        """All a record may keep of the address: its /24 (IPv4) or /48 (IPv6)."""
        return places.truncated_network(self.address)

    @property
    def consent(self):
        if self._consent is None and _consent_resolver is not None:
            self._consent = _consent_resolver(self._request)
        return self._consent


def visitor_for(request) -> Visitor:
    """The request's visitor; made here for requests that bypassed the middleware (tests)."""
    visitor = getattr(request, "visitor", None)
    if visitor is None:
        visitor = request.visitor = Visitor(request)
    return visitor
