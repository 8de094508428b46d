"""Cached pages hold nothing of the visitor who first asked, and nobody can fill the cache."""

import pytest
from django.core.cache import cache
from django.test import Client

from core.middleware import HTML_CACHE_CONTROL

pytestmark = pytest.mark.django_db


def cache_rows() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_cache")
        return cursor.fetchone()[0]


def test_a_visitors_raw_parameter_never_reaches_another_visitors_page(launch_content):
    first = Client().get("/en/privacy/?jurisdiction=KR&utm_source=mail")
    assert first.status_code == 200
    second = Client().get("/en/privacy/?jurisdiction=kr")
    body = second.content.decode()
    assert "jurisdiction=KR" not in body and "utm_source" not in body
    # the language switcher keeps the normalised choice
    assert 'href="/ko/privacy/?jurisdiction=kr"' in body


def test_unknown_dates_and_garbage_parameters_create_no_cache_entries(client, launch_content):
    client.get("/en/privacy/")
    client.get("/en/privacy/versions/")
    client.get("/en/privacy/versions/2025-09-02/")
    warm = cache_rows()
    for path in [
        "/en/privacy/versions/1999-01-01/",
        "/en/privacy/versions/2031-12-31/",
        "/en/privacy/versions/2025-09-01/diff/2025-09-02/",
        "/en/privacy/versions/2025-09-02/diff/2025-09-01/",
        "/en/privacy/?jurisdiction=atlantis",
        "/en/privacy/?jurisdiction=%3Cx%3E",
        "/en/privacy/?utm_source=a&utm_medium=b",
    ]:
        assert client.get(path).status_code in (200, 400, 404)
    assert cache_rows() == warm
    # a known region adds its page and its document, whatever else the URL carries
    client.get("/en/privacy/?jurisdiction=kr&x=1")
    client.get("/en/privacy/?jurisdiction=KR&x=2")
    assert cache_rows() == warm + 2


def test_a_database_outage_is_a_503_with_retry_after(client, launch_content, monkeypatch):
    from django.db import OperationalError

    from notices import views

    def outage(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(views.selectors, "in_force_date", outage)
    cache.clear()
    response = client.get("/en/privacy/")
    assert response.status_code == 503
    assert response["Retry-After"] and response["Cache-Control"] == "no-store"
    assert "Temporarily unavailable" in response.content.decode()


def test_a_server_error_is_explained_in_the_visitors_language(launch_content, monkeypatch):
    from notices import views

    def bug(**kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(views.selectors, "in_force_date", bug)
    cache.clear()
    response = Client(raise_request_exception=False).get("/ko/privacy/")
    assert response.status_code == 500
    body = response.content.decode()
    assert '<html lang="ko">' in body and "서버 오류" in body and "Server error" not in body


def test_html_is_private_but_the_static_files_are_not(client, launch_content):
    assert client.get("/en/privacy/")["Cache-Control"] == HTML_CACHE_CONTROL


def test_head_answers_the_get_headers_without_a_body(launch_content):
    """Through the WSGI handler as gunicorn calls it (the test client strips HEAD bodies itself)."""
    import io
    import sys

    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    def call(method):
        seen = {}
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": "/en/privacy/",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        body = b"".join(WSGIHandler()(environ, lambda status, headers: seen.update(headers)))
        return dict(seen), body

    # As Django's test client does: the handler's end-of-request signal would otherwise close
    # the connection that holds this test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        get_headers, get_body = call("GET")
        head_headers, head_body = call("HEAD")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert get_body and head_body == b""
    assert head_headers["Content-Length"] == get_headers["Content-Length"] == str(len(get_body))
