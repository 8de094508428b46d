"""privacy_site.asgi: each request runs the synchronous stack once, on the worker's one thread.

Django's own ASGI handler starts and joins a thread per request and crosses between it and
the event loop several times a request; with PostgreSQL that thread also opens a new connection
on every request. These tests drive the real application object as gunicorn's asyncio worker
does.
"""

import asyncio
import gzip
import threading

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import override_settings

from privacy_site.asgi import SyncStackHandler

from . import probe


async def _request(app, path: str, method: str = "GET", headers: tuple = (), log=None) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    delivered = asyncio.Event()
    messages = []

    async def receive():
        if not messages:
            messages.append("body")
            return {"type": "http.request", "body": b"", "more_body": False}
        await delivered.wait()
        return {"type": "http.disconnect"}

    sent = []

    async def send(message):
        sent.append(message)
        if log is not None:
            log.append(message["type"])
        if message["type"] == "http.response.body" and not message.get("more_body"):
            delivered.set()

    await app(scope, receive, send)
    start = sent[0]
    headers = {name.decode().lower(): value.decode() for name, value in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], headers, body


def serve(app, *requests):
    async def run():
        return [await _request(app, *r) for r in requests]

    return asyncio.run(run())


@pytest.fixture
def site(transactional_db, launch_content, cookie_groups):
    return None


def test_a_page_and_a_static_file_are_served(site):
    (page, static, head) = serve(
        SyncStackHandler(),
        ("/en/privacy/", "GET", ((b"accept-encoding", b"gzip"),)),
        ("/static/css/site.css", "GET", ()),
        ("/en/privacy/", "HEAD", ()),
    )
    status, headers, body = page
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert b"<h1" in gzip.decompress(body)
    assert static[0] == 200 and b"{" in static[2]
    assert head[0] == 200 and head[2] == b"" and int(head[1]["content-length"]) > 10_000


def test_every_request_runs_its_stack_on_one_reused_thread(site):
    middleware = ["tests.asgi.probe.Outer", *settings.MIDDLEWARE, "tests.asgi.probe.Inner"]
    signalled = []

    def note(**kwargs):
        signalled.append(threading.get_ident())

    request_started.connect(note, weak=False)
    request_finished.connect(note, weak=False)
    probe.seen.clear()
    try:
        with override_settings(MIDDLEWARE=middleware):
            app = SyncStackHandler()
            responses = serve(app, *[("/en/privacy/",)] * 3)
    finally:
        request_started.disconnect(note)
        request_finished.disconnect(note)
    assert [status for status, _, _ in responses] == [200, 200, 200]
    assert [label for label, _ in probe.seen] == ["outer", "inner"] * 3
    threads = {thread for _, thread in probe.seen} | set(signalled)
    # One thread for every middleware, the view and the request signals of all three
    # requests: no thread started per request, no hop back to the event loop mid-stack.
    assert len(threads) == 1
    assert threads != {threading.get_ident()}  # and not the event loop's


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="SQLite connections are not kept between requests (CONN_MAX_AGE 0); PostgreSQL's are",
)
def test_postgresql_connection_outlives_the_request(site):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    opened = []

    def note(sender, connection, **kwargs):
        opened.append(connection.alias)

    connection_created.connect(note, weak=False)
    try:
        app = SyncStackHandler()
        responses = serve(app, *[("/healthz",)] * 4)
    finally:
        connection_created.disconnect(note)
    assert [status for status, _, _ in responses] == [200] * 4
    assert opened.count(connection.alias) <= 1


def _events():
    """request_started/request_finished, in order, as a list the handler's messages join."""
    log = []

    def started(**kwargs):
        log.append("request_started")

    def finished(**kwargs):
        log.append("request_finished")

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    return log, lambda: (request_started.disconnect(started), request_finished.disconnect(finished))


def test_a_page_crosses_to_the_sync_thread_once(site, monkeypatch):
    """A cached page costs less CPU than a hop between the event loop and the thread
    (thread wake-ups both ways): Django's handler made three for a page (request_started,
    the stack, response.close), this one makes one, with request_finished inside it."""
    from asgiref import sync

    crossings = []
    original = sync.SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        crossings.append(getattr(self.func, "__name__", repr(self.func)))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counted)
    log, disconnect = _events()
    try:
        app = SyncStackHandler()
        serve(app, ("/en/privacy/",))  # warm the page cache
        crossings.clear()
        log.clear()
        status, _, body = asyncio.run(_request(app, "/en/privacy/", log=log))
    finally:
        disconnect()
    assert status == 200 and b"<h1" in body
    assert len(crossings) == 1, crossings
    # The request was finished (database connection returned) before its bytes went out.
    assert log[:3] == ["request_started", "request_finished", "http.response.start"]
    assert set(log[3:]) == {"http.response.body"}


def test_a_streamed_file_is_closed_after_its_last_byte(site):
    """A static file streams from disk: closing it (and finishing the request) waits for
    the body, or the client would get a truncated file."""
    log, disconnect = _events()
    try:
        status, _, body = asyncio.run(_request(SyncStackHandler(), "/static/css/site.css", log=log))
    finally:
        disconnect()
    assert status == 200 and b"{" in body
    assert log[0] == "request_started" and log[-1] == "request_finished"
    assert "http.response.body" in log[:-1]


def test_a_client_that_leaves_before_the_answer_costs_nothing_else(site):
    """A disconnect while the stack runs: the request still finishes (request_finished
    fires, so the connection is returned) and the handler returns without an error."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/en/privacy/",
        "raw_path": b"/en/privacy/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages = iter([{"type": "http.request", "body": b"", "more_body": False}, {"type": "http.disconnect"}])

    async def receive():
        return next(messages)

    async def send(message):
        await asyncio.Event().wait()  # the peer is gone: nothing drains the socket

    log, disconnect = _events()
    try:
        asyncio.run(SyncStackHandler()(scope, receive, send))
    finally:
        disconnect()
    assert log == ["request_started", "request_finished"]
