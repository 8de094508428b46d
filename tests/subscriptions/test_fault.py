"""SIGKILL the worker twice in the middle of a campaign; every subscriber still gets exactly one notice.

Everything is real: an aiosmtpd server on loopback, `manage.py import_policy --publish` to
create the campaign, and `manage.py db_worker` processes on their own database (SQLite file,
or a scratch PostgreSQL database when DATABASE_URL points at PostgreSQL).

The server models a relay that suppresses a repeated Message-ID, as the README's guarantee
assumes; it also records every SMTP transaction, so the test shows how many messages were
on the wire when a worker died (at most one per kill) and that each was re-sent unchanged.
"""

import datetime
import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import dj_database_url
import pytest

pytestmark = pytest.mark.fault

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 3000
KILLS = (SUBSCRIBERS // 3, 2 * SUBSCRIBERS // 3)
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


class RecordingRelay:
    """aiosmtpd handler: stores each Message-ID once, and logs every transaction."""

    def __init__(self):
        self.lock = threading.Lock()
        self.transactions: list[tuple[str, str]] = []  # (recipient, Message-ID), every one
        self.stored: dict[str, str] = {}  # Message-ID -> recipient, what mailboxes would show

    async def handle_DATA(self, server, session, envelope):
        found = MESSAGE_ID.search(envelope.original_content or envelope.content)
        message_id = found[1].decode() if found else ""
        (recipient,) = envelope.rcpt_tos
        with self.lock:
            self.transactions.append((recipient, message_id))
            self.stored.setdefault(message_id, recipient)
        return "250 OK queued"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A scratch database of the same kind as the suite's, for the worker processes."""

    def __init__(self, tmp_path: Path):
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://")):
            config = dj_database_url.parse(base)
            self.kind = "postgres"
            self.name = f"{config['NAME']}_fault"
            self.admin = {
                "host": config["HOST"] or "127.0.0.1",
                "port": config["PORT"] or 5432,
                "user": config["USER"] or "postgres",
                "password": config["PASSWORD"] or None,
            }
            self.url = base.rsplit("/", 1)[0] + "/" + self.name
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"', f'CREATE DATABASE "{self.name}"')
        else:
            self.kind = "sqlite"
            self.path = tmp_path / "fault.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, *statements):
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.admin) as conn:
            for statement in statements:
                conn.execute(statement)

    def query(self, sql: str) -> list[tuple]:
        if self.kind == "sqlite":
            with sqlite3.connect(self.path, timeout=20) as conn:
                return conn.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(dbname=self.name, **self.admin) as conn:
            return conn.execute(sql).fetchall()

    def drop(self):
        if self.kind == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def relay():
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # one INFO line per SMTP command otherwise
    handler = RecordingRelay()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_sigkill_midway_then_restart_sends_exactly_one_notice_per_subscriber(relay, database, tmp_path):
    handler, port = relay
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "REDIS_", "SUBSCRIPTIONS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="privacy_site.settings.dev",
        DJANGO_DEBUG="false",
        DATABASE_URL=database.url,
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS="4",
        SUBSCRIPTIONS_BATCH_SIZE="50",
        LOG_LEVEL="WARNING",
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from django.utils import timezone; from subscriptions.models import Subscriber; "
        "Subscriber.objects.bulk_create(Subscriber(email=f'r{i}@example.com', email_key=f'r{i}@example.com', "
        "language=['en','ko','zh-hans','ja'][i % 4], confirmed_at=timezone.now()) "
        f"for i in range({SUBSCRIBERS}))",
    )
    effective = datetime.date.today() + datetime.timedelta(days=60)
    policy = tmp_path / f"{effective}.md"
    policy.write_text(
        f"---\neffective_date: {effective}\nmaterial: true\nsummary: We keep logs for 30 days.\n---\n\n"
        "Preamble.\n\n## A. LOGS {#logs}\n\nWe keep logs for 30 days.\n",
        encoding="utf-8",
    )
    manage(env, "import_policy", str(policy), "--publish")  # the real publishing path queues the campaign
    assert database.query("SELECT status FROM subscriptions_campaign") == [("queued",)]

    logs = []

    def start_worker():
        log = open(tmp_path / f"worker{len(logs)}.log", "w")  # noqa: SIM115
        logs.append(log)
        return subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    started = time.monotonic()
    killed_at = []
    worker = start_worker()
    try:
        for threshold in KILLS:
            wait_for(lambda t=threshold: len(handler.transactions) >= t, timeout=60, what=f"{threshold} messages")
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
            killed_at.append(len(handler.transactions))
            worker = start_worker()
        wait_for(
            lambda: database.query("SELECT status FROM subscriptions_campaign") == [("done",)],
            timeout=90,
            what="the campaign to finish",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        for log in logs:
            log.close()
    elapsed = time.monotonic() - started

    expected = {f"r{i}@example.com" for i in range(SUBSCRIBERS)}
    stored_recipients = sorted(handler.stored.values())
    per_recipient = {}
    for recipient, message_id in handler.transactions:
        per_recipient.setdefault(recipient, set()).add(message_id)
    repeats = len(handler.transactions) - len(handler.stored)
    statuses = dict(database.query("SELECT status, COUNT(*) FROM subscriptions_delivery GROUP BY status"))
    interrupted = database.query("SELECT COUNT(*) FROM subscriptions_delivery WHERE interrupted > 0")[0][0]
    print(
        f"\nfault test ({database.kind}): {SUBSCRIBERS} subscribers, SIGKILL after {killed_at} messages, "
        f"{len(handler.transactions)} SMTP transactions, {len(handler.stored)} distinct messages stored, "
        f"{repeats} re-sent after a kill with the same Message-ID, {interrupted} rows flagged in flight; "
        f"deliveries {statuses}; {elapsed:.1f}s"
    )

    assert len(killed_at) == 2 and all(0 < k < SUBSCRIBERS for k in killed_at)
    # Exactly one message per subscriber, each under its own deterministic Message-ID.
    assert stored_recipients == sorted(expected)
    assert all(len(ids) == 1 for ids in per_recipient.values())
    assert set(per_recipient) == expected
    # On the wire: only the message in flight at each kill can have gone twice.
    assert repeats <= len(KILLS)
    assert repeats <= interrupted <= len(KILLS)
    assert statuses == {"sent": SUBSCRIBERS}
