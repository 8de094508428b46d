"""Nothing kept before confirmation: an unconfirmed address lives in one row that expires with
its link, and nowhere else — not in the task queue's stored arguments, results or tracebacks.

These tests use the real django-tasks-db backend (the one `make run` uses) and run its worker's
own code for each task, so the worker's task_finished signal is the one production sends.
"""

import datetime
import logging
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from subscriptions.models import PendingSubscription, Subscriber

from .backends import ScriptedBackend

pytestmark = pytest.mark.django_db
ADDRESS = "Unconfirmed.Person@Example.org"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> int:
    """Run every due task as `manage.py db_worker` does: claim it, run it, record it, signal it."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().filter(backend_name="default").first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def tables_holding(text: str) -> dict[str, int]:
    """Every table of the database with a row in which `text` appears (any column, any case)."""
    needle = text.casefold()
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from introspection)
            rows = [row for row in cursor.fetchall() if needle in " ".join(map(str, row)).casefold()]
            if rows:
                found[table] = len(rows)
    return found


@pytest.fixture
def database_tasks(django_capture_on_commit_callbacks):
    with override_settings(TASKS=DATABASE_TASKS):
        yield


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    def run(address=ADDRESS, language="en"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/en/privacy/subscribe/", {"email": address, "language": language})
        assert response.status_code == 302
        return response

    return run


def confirm_path(message) -> str:
    return re.search(r"https?://\S+(/\w+(?:-\w+)?/privacy/subscribe/confirm/\S+/)", message.body)[1]


def test_an_unconfirmed_address_is_nowhere_in_the_database_after_its_link_expires(database_tasks, subscribe):
    start = timezone.now()
    subscribe()
    # Queued: the confirmation task carries an opaque reference, not the address.
    assert DBTaskResult.objects.count() == 2  # the confirmation, and the prune at expiry
    assert tables_holding(ADDRESS) == {"subscriptions_pendingsubscription": 1}

    assert run_worker() == 1  # the prune is deferred until the link expires
    (message,) = mail.outbox
    assert message.to == [ADDRESS]
    # Sent: the confirmation task's stored result is gone; the address is in the pending row only.
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["subscriptions.tasks.pending_prune"]
    assert tables_holding(ADDRESS) == {"subscriptions_pendingsubscription": 1}
    assert tables_holding(ADDRESS.split("@")[0]) == {"subscriptions_pendingsubscription": 1}

    # The link expires; the worker's deferred prune deletes the row, then its own result.
    expiry = start + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE + 5)
    with time_machine.travel(expiry, tick=False):
        assert run_worker() == 1
    assert tables_holding(ADDRESS) == {}
    assert tables_holding(ADDRESS.split("@")[0]) == {}
    assert PendingSubscription.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_an_expired_request_is_pruned_by_the_next_request_even_without_a_worker(subscribe, client):
    start = timezone.now()
    subscribe()
    assert PendingSubscription.objects.count() == 1
    with time_machine.travel(start + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE + 5)):
        subscribe(address="someone.else@example.org")
    assert list(PendingSubscription.objects.values_list("email", flat=True)) == ["someone.else@example.org"]


def test_confirming_deletes_every_pending_request_of_the_mailbox(database_tasks, subscribe, client):
    subscribe()
    subscribe(address=ADDRESS.upper(), language="ko")
    run_worker()
    assert PendingSubscription.objects.count() == 2
    first, _second = mail.outbox
    assert client.get(confirm_path(first)).status_code == 200  # the button page changes nothing
    assert PendingSubscription.objects.count() == 2
    assert client.post(confirm_path(first)).status_code == 200
    assert PendingSubscription.objects.count() == 0
    (subscriber,) = Subscriber.objects.all()
    assert subscriber.email == ADDRESS
    # Confirmed: the address is kept once, in the subscriber row (the stored token is a hash).
    assert tables_holding(ADDRESS) == {"subscriptions_subscriber": 1}


def test_a_confirmation_that_cannot_be_sent_leaves_nothing_behind(database_tasks, subscribe, settings, caplog):
    import smtplib

    settings.EMAIL_BACKEND = "tests.subscriptions.backends.ScriptedBackend"
    ScriptedBackend.reset()
    refusal = smtplib.SMTPRecipientsRefused({ADDRESS: (550, f"5.1.1 <{ADDRESS}>: no such user".encode())})
    ScriptedBackend.errors = {ADDRESS: [refusal]}
    try:
        subscribe()
        with caplog.at_level(logging.INFO):
            run_worker()
    finally:
        ScriptedBackend.reset()
    assert mail.outbox == []
    # The refusal names the address; neither the task's traceback nor the log keeps it.
    assert tables_holding(ADDRESS) == {}
    assert ADDRESS.casefold() not in caplog.text.casefold()
    assert "SMTPRecipientsRefused" in caplog.text
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["subscriptions.tasks.pending_prune"]


def test_the_link_carries_neither_the_address_nor_an_id(database_tasks, subscribe):
    subscribe()
    run_worker()
    (message,) = mail.outbox
    token = confirm_path(message).rstrip("/").rsplit("/", 1)[1]
    pending = PendingSubscription.objects.get()
    for leak in (ADDRESS, "Unconfirmed", "example", str(pending.reference), pending.reference.hex):
        assert leak.casefold() not in token.casefold()
    # A random secret, its signed issue time and the signature: no part is the row's id.
    secret, _issued, _signature = token.split(":")
    assert len(secret) == 24 and str(pending.pk) not in token.split(":")
    # Only the hash of the link's secret is stored.
    assert token.split(":")[0] not in " ".join(map(str, PendingSubscription.objects.values_list()))


def test_the_migration_forgets_addresses_left_by_earlier_confirmation_tasks(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("subscriptions.migrations.0005_forget_queued_addresses")
    old = {"task_path": "subscriptions.tasks.confirmation_send", "backend_name": "default"}
    for status, address in [("SUCCESSFUL", "done@example.org"), ("FAILED", "failed@example.org")]:
        DBTaskResult.objects.create(status=status, args_kwargs={"args": [address, "en"], "kwargs": {}}, **old)
    waiting = DBTaskResult.objects.create(
        status="READY", args_kwargs={"args": ["Waiting@Bücher.example", "ja"], "kwargs": {}}, **old
    )
    campaign = DBTaskResult.objects.create(
        status="SUCCESSFUL",
        task_path="subscriptions.tasks.campaign_send",
        backend_name="default",
        args_kwargs={"args": [1, "token"], "kwargs": {}},
    )

    class Editor:
        connection = connection

    migration.forget(apps, Editor())
    assert tables_holding("done@example.org") == {} and tables_holding("failed@example.org") == {}
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {waiting.pk, campaign.pk}
    waiting.refresh_from_db()
    pending = PendingSubscription.objects.get()
    assert waiting.args_kwargs == {"args": [str(pending.reference)], "kwargs": {}}
    assert (pending.email, pending.email_key, pending.language) == (
        "Waiting@Bücher.example",
        "waiting@xn--bcher-kva.example",
        "ja",
    )
    assert tables_holding("Waiting@Bücher.example") == {"subscriptions_pendingsubscription": 1}
