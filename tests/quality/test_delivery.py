"""Compression, validators and security headers, as a browser, a crawler and a proxy see them."""

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.delivery import Prepared, gzip_bytes, register_slot
from tests.cookies.conftest import post_banner_choice

ROOT = Path(__file__).resolve().parents[2]
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"')


@pytest.fixture
def site(launch_content, cookie_groups):
    pass


def without_tokens(content: bytes) -> bytes:
    return TOKEN.sub(b"TOKEN", content)


def returning(client):
    """A visitor who has made their cookie choice (no banner, no CSRF token on pages)."""
    post_banner_choice(client, label="Reject all")
    return client


@pytest.mark.parametrize("path", ["/en/privacy/", "/ko/privacy/", "/ja/privacy/versions/", "/zh-hans/cookies/"])
def test_pages_are_gzipped_and_decompress_to_the_same_page(client, site, path):
    plain = client.get(path)
    packed = client.get(path, **GZIP)
    assert packed.status_code == plain.status_code == 200
    assert packed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert "Accept-Encoding" in packed["Vary"] and "Cookie" in packed["Vary"]
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content) * 0.6
    assert without_tokens(gzip.decompress(packed.content)) == without_tokens(plain.content)


def test_no_gzip_when_the_client_refuses_it(client, site):
    response = client.get("/en/privacy/", HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert "Content-Encoding" not in response
    assert response.content.startswith(b"<!doctype html>")


def test_the_cached_page_is_compressed_once_and_only_the_visitor_part_per_request(client, site, monkeypatch):
    """The per-request work: compress the banner, not the 60 KB page."""
    import core.delivery as delivery

    client.get("/en/privacy/", **GZIP)  # builds and caches the page with its gzip pieces
    compressed = []
    real = delivery._deflate
    monkeypatch.setattr(delivery, "_deflate", lambda data, level: compressed.append(len(data)) or real(data, level))
    response = client.get("/en/privacy/", **GZIP)
    page = gzip.decompress(response.content)
    assert b'id="cookie-banner"' in page
    assert compressed and max(compressed) < 5000 < len(page)


def test_slots_splice_into_one_valid_gzip_member():
    register_slot(b"<!--test-slot")
    page = b"<p>" + b"before " * 500 + b"<!--test-slot:a--><p>" + b"middle " * 300 + b"<!--test-slot:b-->end</p>"
    prepared = Prepared(page)
    served = page.replace(b"<!--test-slot:a-->", b"<b>visitor \xc3\xa9</b>").replace(b"<!--test-slot:b-->", b"")
    fills = prepared.fills(served)
    assert fills == [b"<b>visitor \xc3\xa9</b>", b""]
    assert gzip.decompress(gzip_bytes(served, prepared, fills)) == served
    # Anything other than filling the slots is not this page: the whole is compressed instead.
    assert prepared.fills(served.replace(b"middle", b"MIDDLE", 1)) is None
    assert gzip.decompress(gzip_bytes(served + b"!")) == served + b"!"


def test_a_returning_visitor_gets_a_304(client, site):
    returning(client)
    first = client.get("/en/privacy/", **GZIP)
    etag = first["ETag"]
    assert etag.startswith('W/"') and first["Cache-Control"] == "private, no-cache, max-age=0"
    again = client.get("/en/privacy/", HTTP_IF_NONE_MATCH=etag, **GZIP)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and "Cookie" in again["Vary"]
    # The same page uncompressed is the same representation (weak ETag).
    assert client.get("/en/privacy/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Another page, another language: another ETag.
    assert client.get("/ko/privacy/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_etag_follows_the_bytes(client, site):
    from django.test import Client

    from core.cache import bump

    returning(client)
    etag = client.get("/en/privacy/")["ETag"]
    bump()  # every cached page rebuilt: the same bytes keep their ETag
    assert client.get("/en/privacy/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    other = Client()
    post_banner_choice(other, label="Accept all")  # another consent state in the page
    assert other.get("/en/privacy/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    # The cookie settings page holds forms (a CSRF token): never validated, never reused.
    assert not client.get("/en/cookies/").has_header("ETag")


def test_a_first_visit_page_holds_a_token_so_it_has_no_etag(client, site):
    response = client.get("/en/privacy/")
    assert b'id="cookie-banner"' in response.content
    assert not response.has_header("ETag")


def test_head_has_the_headers_of_get_and_no_body(client, site):
    returning(client)
    get = client.get("/en/privacy/", **GZIP)
    head = client.head("/en/privacy/", **GZIP)
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == get["Content-Length"] and head["ETag"] == get["ETag"]


def test_the_feed_honours_conditional_requests(client, site):
    feed = client.get("/en/privacy/feed/", **GZIP)
    assert feed["Content-Encoding"] == "gzip" and feed.has_header("Last-Modified") and feed.has_header("ETag")
    assert client.get("/en/privacy/feed/", HTTP_IF_MODIFIED_SINCE=feed["Last-Modified"]).status_code == 304
    assert client.get("/en/privacy/feed/", HTTP_IF_NONE_MATCH=feed["ETag"]).status_code == 304
    assert client.get("/en/privacy/feed/", HTTP_IF_MODIFIED_SINCE="Thu, 01 Jan 2015 00:00:00 GMT").status_code == 200


@pytest.mark.parametrize("path", ["/en/privacy/", "/ko/cookies/", "/en/privacy/subscribe/", "/en/privacy/nowhere/"])
def test_strict_content_security_policy_and_feature_headers(client, site, path):
    response = client.get(path)
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_gated_third_party_tag_extends_the_policy_through_settings():
    code = (
        "import django, os; django.setup(); from django.conf import settings;"
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES'];"
        "print(d['script-src'], d['connect-src'], d['default-src'], sep='|')"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "privacy_site.settings.test",
        "CSP_EXTRA_SCRIPT_SRC": "https://tags.example.com",
        "CSP_EXTRA_CONNECT_SRC": "https://collect.example.com",
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    script, connect, default = out.stdout.strip().split("|")
    assert script == str(["'self'", "https://tags.example.com"])
    assert connect == str(["'self'", "https://collect.example.com"])
    assert default == str(["'self'"])


def test_a_database_outage_is_logged_once(client, site, monkeypatch, caplog):
    from django.db import OperationalError

    from notices import views

    def outage(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views.selectors, "in_force_date", outage)
    from django.core.cache import cache

    cache.clear()
    with caplog.at_level("WARNING"):
        assert client.get("/en/privacy/").status_code == 503
    assert [r.name for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == ["core.middleware"]
