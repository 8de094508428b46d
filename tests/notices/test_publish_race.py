"""Two publishers, two drafts, one date, at the same moment: exactly one wins."""

import threading

import pytest
from django.db import connection

from notices import services
from notices.models import PolicyVersion

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite lets one writer in at a time, so there is no race to lose there (the serial
    # case is tested in test_editorial); PostgreSQL is where two publishers really collide.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def test_concurrent_publishes_for_one_date_leave_exactly_one_winner(launch_content):
    drafts = [services.draft_start_next(), services.draft_start_next()]
    barrier = threading.Barrier(len(drafts))
    outcomes = []

    def publish(draft):
        try:
            barrier.wait(timeout=10)
            services.version_publish(version=draft)
            outcomes.append("published")
        except services.PublishRefused as refused:
            outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[1] == "published"
    assert sorted(outcomes)[0].startswith("Another version is already published for")
    assert PolicyVersion.objects.published().filter(effective_date=drafts[0].effective_date).count() == 1
    assert PolicyVersion.objects.drafts().count() == 1
