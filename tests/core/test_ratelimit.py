"""Rate limits counted in the database: exact across workers, windows that end."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from core.models import RateCounter
from core.ratelimit import hit

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def test_a_window_allows_exactly_the_limit_then_resets():
    assert [hit(scope="t", value="a", limit=3, window=HOUR) for _ in range(5)] == [True, True, True, False, False]
    assert hit(scope="t", value="b", limit=3, window=HOUR)  # another client counts apart
    with time_machine.travel(datetime.datetime.now(datetime.timezone.utc) + HOUR + datetime.timedelta(seconds=1)):
        assert hit(scope="t", value="a", limit=3, window=HOUR)
        # the ended windows were swept when a new one opened
        assert RateCounter.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_are_all_counted():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("in-memory SQLite is one connection per thread only with a shared cache; PostgreSQL runs this")
    results = []

    def attempt():
        try:
            results.append(hit(scope="race", value="x", limit=10, window=HOUR))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10 and results.count(False) == 10
    assert RateCounter.objects.get().count == 20
