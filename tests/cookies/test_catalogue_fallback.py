"""With the database down, the cookie pages still say which cookies the site sets (issue 14.7)."""

import pytest
from django.db import OperationalError

from cookies import launch, selectors
from core import cache as core_cache


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(selectors, "_build", refuse)
    monkeypatch.setattr(core_cache, "cached", lambda parts, build: build())
    monkeypatch.setattr(selectors, "cached", lambda parts, build: build())


def test_the_catalogue_falls_back_to_the_launch_groups(database_down):
    catalogue = selectors.catalogue()
    assert [g.varname for g in catalogue.groups] == [g["varname"] for g in launch.groups()]
    assert {c.name for g in catalogue.groups for c in g.cookies} >= {"csrftoken", "consent_id"}
    # Fail closed: nothing a cookie says was accepted counts while the database is away.
    assert all(group.version > "9" * 20 for group in catalogue.optional)
