"""How a response leaves the site: validators (ETag, 304) and gzip, cheap enough for every page.

Compressing a 55 KB page costs far more than serving it from the cache, so a page rendered
for everyone is kept as a ``Prepared`` page: its text cut at the *slots* (markers an app
fills per visitor, registered with ``register_slot``) and each piece compressed once, as a
raw DEFLATE stream ended by a sync flush (byte-aligned, so streams concatenate). Per request
only what was spliced into the slots is compressed, as its own stream; the gzip member is
those streams in page order, an empty final block, the CRC-32 and the length. The result is
checked against the response's bytes piece by piece: if what an app did to the page is not
"fill the slots", the whole response is compressed instead, never something else sent.

Validators: a response whose bytes do not depend on the request's secrets (no CSRF token
was handed out for it) gets a weak ETag from its content; ``If-None-Match`` (and
``If-Modified-Since`` where a view set ``Last-Modified``) answers 304. A page with the
banner carries a fresh CSRF token, so it has no ETag: it must not be reused anyway.
"""

import hashlib
import re
import struct
import zlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no mtime, OS unknown
FINAL_EMPTY_BLOCK = b"\x03\x00"  # a fixed-Huffman final block holding nothing
MIN_COMPRESS_BYTES = 256
PAGE_LEVEL = 9  # once per cached page: the smallest output is worth the one-off cost
DYNAMIC_LEVEL = 6  # per request (Django's GZipMiddleware's level)
COMPRESSIBLE = ("text/", "application/atom+xml", "application/xml", "application/json", "application/javascript")
_ACCEPT_GZIP = re.compile(r"(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*(?=,|$)", re.I)

_slots: list[bytes] = []


def register_slot(prefix: bytes) -> None:
    """Mark text starting with ``prefix`` and ending at the next ``-->`` as filled per request.

    Called from an app's ready(); core names no app's markers.
    """
    if prefix not in _slots:
        _slots.append(prefix)


def _deflate(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


class Prepared:
    """A page rendered for everyone, with its pieces between slots compressed once."""

    __slots__ = ("content", "deflated", "digest", "pieces")

    def __init__(self, content: bytes):
        self.content = content
        self.pieces: list[bytes] = []
        position = 0
        for start, end in _slot_spans(content):
            self.pieces.append(content[position:start])
            position = end
        self.pieces.append(content[position:])
        self.deflated = [_deflate(piece, PAGE_LEVEL) if piece else b"" for piece in self.pieces]
        self.digest = hashlib.blake2b(content, digest_size=16).digest()

    def __getstate__(self):
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def response(self, status: int = 200) -> HttpResponse:
        response = HttpResponse(self.content, status=status)
        response.prepared = self
        return response

    def fills(self, content: bytes) -> list[bytes] | None:
        """What the slots hold in ``content``, or None if it is not this page with them filled."""
        pieces = self.pieces
        if len(pieces) == 1:
            return [] if content == pieces[0] else None
        first, last = pieces[0], pieces[-1]
        if not content.startswith(first) or not content.endswith(last):
            return None
        fills = []
        position, limit = len(first), len(content) - len(last)
        for piece in pieces[1:-1]:
            # A fill cannot contain the next piece's opening in practice (the pieces are
            # long stretches of the page); startswith() below confirms the match.
            found = content.find(piece[:64], position, limit) if piece else position
            if found < 0 or not content.startswith(piece, found) or found + len(piece) > limit:
                return None
            fills.append(content[position:found])
            position = found + len(piece)
        fills.append(content[position:limit])
        return fills


def _slot_spans(content: bytes):
    spans = []
    for prefix in _slots:
        start = content.find(prefix)
        while start >= 0:
            end = content.find(b"-->", start)
            if end < 0:
                break
            spans.append((start, end + 3))
            start = content.find(prefix, end)
    return sorted(spans)


def accepts_gzip(request) -> bool:
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if not header:
        return False
    for match in _ACCEPT_GZIP.finditer(header):
        quality = match.group(1)
        try:
            if quality is None or float(quality) > 0:
                return True
        except ValueError:
            continue
    return False


def _compressible(response) -> bool:
    return (
        not response.streaming
        and not response.has_header("Content-Encoding")
        and response.get("Content-Type", "").startswith(COMPRESSIBLE)
        and len(response.content) >= MIN_COMPRESS_BYTES
    )


def gzip_bytes(content: bytes, prepared: Prepared | None = None, fills: list[bytes] | None = None) -> bytes:
    """One gzip member: the page's pieces pre-compressed, the fills compressed now."""
    if prepared is None or fills is None:
        streams = [_deflate(content, DYNAMIC_LEVEL)]
    else:
        streams = [prepared.deflated[0]]
        for fill, deflated in zip(fills, prepared.deflated[1:], strict=True):
            if fill:
                streams.append(_deflate(fill, DYNAMIC_LEVEL))
            streams.append(deflated)
    trailer = struct.pack("<II", zlib.crc32(content), len(content) & 0xFFFFFFFF)
    return b"".join((GZIP_HEADER, *streams, FINAL_EMPTY_BLOCK, trailer))


def _etag(content: bytes, prepared: Prepared | None, fills: list[bytes] | None) -> str:
    if prepared is not None and fills is not None:
        digest = hashlib.blake2b(prepared.digest + b"\0".join(fills), digest_size=16).hexdigest()
    else:
        digest = hashlib.blake2b(content, digest_size=16).hexdigest()
    return f'W/"{digest}"'


def _may_validate(request, response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.streaming
        and not response.has_header("ETag")
        # A CSRF token was handed out: the page holds a secret and must never be reused.
        and settings.CSRF_COOKIE_NAME not in response.cookies
        and "no-store" not in response.get("Cache-Control", "")
    )


def deliver(request, response):
    """Add validators and compression to a finished response; return the one to send."""
    if response.streaming:
        return response
    prepared = getattr(response, "prepared", None)
    fills = prepared.fills(response.content) if prepared is not None else None
    if _may_validate(request, response):
        response.headers["ETag"] = _etag(response.content, prepared, fills)
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        conditional = get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )
        if conditional is not response:
            return conditional
    if settings.COMPRESS_RESPONSES and _compressible(response):
        if not response.get("Content-Type", "").startswith("text/html"):
            # HTML's Vary is core.middleware.finish_html's, with the rest of its caching headers.
            patch_vary_headers(response, ("Accept-Encoding",))
        if accepts_gzip(request):
            content = response.content
            response.content = gzip_bytes(content, prepared, fills)
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Content-Length"] = str(len(response.content))
    return response
