"""The task worker under `make run` cannot silently stop (issue 14, part 1).

django-tasks-db's loop died on "database is locked" when a write lock outlived the 20 s busy
timeout, and the confirmation emails queued after it waited forever. Here a 30-second
exclusive lock is held on the SQLite file while `make run` serves; once it is released, a new
subscription's confirmation arrives through a real SMTP server within a minute, with nothing
restarted by hand. A killed worker is restarted by bin/serve.
"""

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from .conftest import csrf_from, outcome, subscribe
from .test_make_run import serve_make_run

pytestmark = pytest.mark.multiprocess

LOCK_SECONDS = 30  # longer than the 20 s busy timeout every connection waits


def wait_for_mail(box, recipient: str, *, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if box.count(recipient):
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def worker_pids(server) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-g", str(server.process.pid), "-f", "task_worker"], capture_output=True, text=True
    )
    return [int(pid) for pid in found.stdout.split()]


def test_a_long_exclusive_lock_does_not_stop_the_confirmation_emails(tmp_path, sqlite_url, start_server, mailbox):
    box, smtp_port = mailbox
    server, _ = serve_make_run(tmp_path, sqlite_url, start_server, workers=2, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}")
    time.sleep(3)  # the worker is in its loop
    workers_before = worker_pids(server)
    assert len(workers_before) == 1, server.log_tail()

    lock = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), timeout=60, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    time.sleep(LOCK_SECONDS)
    lock.execute("COMMIT")
    lock.close()

    csrf = csrf_from(server)
    assert outcome(subscribe(server, csrf, email="after-the-lock@example.org", client="198.51.100.7")) == "sent"
    waited = wait_for_mail(box, "after-the-lock@example.org", timeout=60)
    assert waited is not None, f"no confirmation within a minute of the lock's release:\n{server.log_tail()}"
    # The same worker process carried on: the lock was survived, not papered over by a restart.
    assert worker_pids(server) == workers_before, server.log_tail()
    assert "database is locked" in server.log_path.read_text(errors="replace")


def test_a_killed_worker_is_restarted_and_sends_what_was_queued(tmp_path, sqlite_url, start_server, mailbox):
    box, smtp_port = mailbox
    server, _ = serve_make_run(tmp_path, sqlite_url, start_server, workers=2, EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}")
    time.sleep(2)
    (first,) = worker_pids(server)
    os.kill(first, signal.SIGKILL)

    csrf = csrf_from(server)
    assert outcome(subscribe(server, csrf, email="after-the-kill@example.org", client="198.51.100.8")) == "sent"
    assert wait_for_mail(box, "after-the-kill@example.org", timeout=60) is not None, server.log_tail()
    assert worker_pids(server) not in ([], [first])
    assert "the task worker exited with status" in server.log_path.read_text(errors="replace")
