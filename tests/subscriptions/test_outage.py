"""A database that cannot take the subscription is a 503, and the attempt is not counted
against the visitor's rate limit (issue 14, part 7)."""

import pytest
from django.db import OperationalError

from core.models import RateCounter
from subscriptions import services
from tests.fixtures.database import read_only_database

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {"email": "reader@example.org", "language": "en"}


def test_a_failed_write_is_a_503_and_is_not_counted(client, monkeypatch):
    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "subscription_request", database_gone)
    for _ in range(3):
        response = client.post("/en/privacy/subscribe/", FORM)
        assert response.status_code == 503
        assert response["Retry-After"]
    # Three refused attempts left no count behind: the limit is spent only on what was taken.
    assert not RateCounter.objects.filter(count__gt=0).exists()

    monkeypatch.undo()
    assert client.post("/en/privacy/subscribe/", FORM).status_code == 302
    assert sorted(RateCounter.objects.values_list("count", flat=True)) == [1, 1]  # client, address


def test_a_read_only_database_is_a_503_not_a_500(client):
    with read_only_database():
        response = client.post("/en/privacy/subscribe/", FORM)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert not RateCounter.objects.exists()
