"""Slow clients cannot starve `make run` (issue 14, part 5).

A slowloris keeps connections open by sending a request's headers a line at a time and
never finishing them. Under gunicorn's sync workers six such connections stopped the site
(each held a whole worker); under `make run`'s asyncio workers they hold a coroutine each.
The slow clients are bounded (count, drip interval and duration) and stay on loopback.
"""

import contextlib
import http.client
import socket
import threading
import time

import pytest

from .conftest import free_port, prepare_site, site_env

pytestmark = pytest.mark.multiprocess

SLOW_CLIENTS = 100
DRIP_SECONDS = 1.0
HOLD_SECONDS = 25.0  # longer than the 5 s gunicorn gives a silent connection before deferring it


class Slowloris:
    """SLOW_CLIENTS connections that each send one more header line every DRIP_SECONDS."""

    def __init__(self, port: int):
        self.port = port
        self.sockets: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drip, daemon=True)

    def __enter__(self):
        for _ in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(b"GET /en/privacy/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.thread.start()
        return self

    def _drip(self):
        deadline = time.monotonic() + HOLD_SECONDS
        while not self.stop.is_set() and time.monotonic() < deadline:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")
            self.stop.wait(DRIP_SECONDS)

    def still_open(self) -> int:
        """How many slow connections the server has not closed (a closed one reads b"")."""
        open_ = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                open_ += sock.recv(1) != b""
            except BlockingIOError:
                open_ += 1
            except OSError:
                pass
        return open_

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def timed_get(port: int, path: str) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Language": "en", "Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def test_a_hundred_slow_clients_do_not_delay_a_normal_request(tmp_path, sqlite_url, start_server):
    port = free_port()
    env = site_env(work=tmp_path, database_url=sqlite_url, PORT=str(port), SITE_URL=f"http://127.0.0.1:{port}")
    prepare_site(env)
    # make run's own server and worker count: bin/serve with gunicorn.conf.py's worker model.
    server = start_server(["bin/serve"], env, name="make-run", workers=4)
    assert timed_get(port, "/en/privacy/")[0] == 200  # warm

    with Slowloris(port) as slow:
        time.sleep(6)  # past gunicorn's first-data deferral: the slow clients are all "sending"
        timings = [timed_get(port, "/en/privacy/") for _ in range(5)]
        held = slow.still_open()

    assert held >= SLOW_CLIENTS * 0.9, f"the server dropped the slow clients ({held} open), so this proves nothing"
    assert [status for status, _ in timings] == [200] * 5, server.log_tail()
    slowest = max(seconds for _, seconds in timings)
    assert slowest < 1.0, f"a normal GET took {slowest:.2f}s while {SLOW_CLIENTS} slow clients were connected"
