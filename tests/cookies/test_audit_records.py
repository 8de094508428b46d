"""A consent record states the cookie groups in force: never a stand-in read while the
database was away."""

import pytest
from django.db import OperationalError

from cookies import selectors
from cookies.models import ConsentRecord

from .conftest import FROM_GERMANY

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups_unreadable(monkeypatch):
    """The catalogue's read fails (a dropped connection, SQLite's "database is locked") while
    the rest of the request's queries, the record's insert among them, go through."""

    def refuse():
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "_build", refuse)
    monkeypatch.setattr(selectors, "cached", lambda parts, build: build())


def test_no_record_is_written_against_the_stand_in_groups(site, cdn_location, client, groups_unreadable):
    response = client.post("/en/cookies/accept/", {"all_groups": "on"}, **FROM_GERMANY)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert not ConsentRecord.objects.exists()
    assert "consent_id" not in response.cookies


def test_no_gpc_record_is_written_against_the_stand_in_groups(site, cdn_location, client, groups_unreadable):
    client.get("/en/privacy/", HTTP_SEC_GPC="1", **FROM_GERMANY)  # the pending id
    assert client.cookies.get("consent_id")
    page = client.get("/en/privacy/", HTTP_SEC_GPC="1", **FROM_GERMANY)
    assert page.status_code == 200
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_an_accept_or_decline_naming_no_category_is_not_a_choice(site, cdn_location, client, action):
    # Without all_groups or a category nothing was decided: a record would count as a
    # "custom" choice in the proof and the dashboard, and a receipt would show it.
    response = client.post(f"/en/cookies/{action}/", {}, **FROM_GERMANY)
    assert response.status_code == 400
    assert not ConsentRecord.objects.exists()
