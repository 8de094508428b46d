"""Migration 0006 starts each existing subscriber's history from what its row still says."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("subscriptions", "0005_forget_queued_addresses")]
AFTER = [("subscriptions", "0006_subscription_history")]


@pytest.mark.django_db(transaction=True)
def test_existing_subscribers_get_their_latest_confirmation_and_unsubscribe():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("subscriptions", "Subscriber")
    confirmed = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)
    left = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
    old.objects.create(email="a@example.com", email_key="a@example.com", language="ko", confirmed_at=confirmed)
    old.objects.create(
        email="b@example.com",
        email_key="b@example.com",
        language="en",
        confirmed_at=confirmed,
        status="unsubscribed",
        unsubscribed_at=left,
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    from subscriptions.models import Subscriber

    history = {s.email: [(e.kind, e.via, e.at, e.language) for e in s.events.all()] for s in Subscriber.objects.all()}
    assert history == {
        "a@example.com": [("confirmed", "migration", confirmed, "ko")],
        "b@example.com": [("confirmed", "migration", confirmed, "en"), ("unsubscribed", "migration", left, "")],
    }
    Subscriber.objects.all().delete()
