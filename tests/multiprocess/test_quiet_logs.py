"""Under gunicorn (issue 15): a HEAD gets headers and no body, with no warning in the log, and
each client error is logged once, in the access log (tests/quality/test_delivery.py: an
outage once)."""

import pytest

from .conftest import free_port, gunicorn_argv, prepare_site, site_env

HEADS = ("/en/privacy/", "/ko/cookies/", "/en/privacy/feed/", "/sitemap.xml", "/robots.txt", "/en/privacy/nope/")


@pytest.fixture
def server(start_server, tmp_path, sqlite_url):
    env = {**site_env(work=tmp_path, database_url=sqlite_url, PORT=str(free_port())), "LOG_LEVEL": "INFO"}
    prepare_site(env)
    return start_server(gunicorn_argv(), env, name="quiet", workers=2)


def test_head_has_no_body_and_logs_nothing(server):
    for path in HEADS:
        # Uncompressed: a first visit's gzip size varies with its random CSRF token.
        get = server.get(path)
        head = server.request("HEAD", path)
        assert head.status == get.status and head.body == ""
        assert head.headers["Content-Length"] == get.headers["Content-Length"], path
    log = server.log_tail(400)
    assert "WARNING" not in log and "body" not in log.lower(), log


def test_each_error_is_logged_once(server):
    assert server.get("/en/privacy/nope/").status == 404
    assert server.get("/en/privacy/?jurisdiction=%00").status == 400
    assert server.get("/en/privacy/versions/2025-09-02/diff/2025-04-22/").status == 404
    access = server.access_path.read_text()
    assert access.count(" 404 GET /en/privacy/nope/") == 1 and access.count(" 400 GET /en/privacy/") == 1
    log = server.log_tail(400)
    assert "Not Found" not in log and "Traceback" not in log and "jurisdiction" not in log, log
