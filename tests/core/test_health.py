"""/healthz says when the site cannot do its work, not only when it cannot answer (issue 14.7)."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from core.models import WorkerHeartbeat
from core.worker import ResilientWorker
from tests.fixtures.database import read_only_database

pytestmark = pytest.mark.django_db(transaction=True)


def enqueue(*, waited: float, run_after=None) -> DBTaskResult:
    """A task row as django-tasks-db's backend writes it (the test settings use the dummy)."""
    result = DBTaskResult.objects.create(
        task_path="subscriptions.tasks.campaign_send",
        args_kwargs={"args": [0, "health-check"], "kwargs": {}},
        backend_name="default",
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=timezone.now() - datetime.timedelta(seconds=waited))
    return result


def test_a_read_only_database_is_a_503_naming_it(client):
    with read_only_database():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "read-only"
    assert client.get("/healthz").status_code == 200  # and it recovers by itself


def test_a_task_waiting_longer_than_the_limit_is_a_503(client, settings):
    settings.HEALTH_MAX_TASK_AGE = 300
    enqueue(waited=299)
    assert client.get("/healthz").json()["tasks"] == "ok"
    enqueue(waited=301)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["tasks"] == "stalled"
    assert response.json()["oldest_task_waiting_seconds"] >= 301


def test_a_task_scheduled_for_later_waits_from_when_it_is_due(client, settings):
    settings.HEALTH_MAX_TASK_AGE = 300
    result = enqueue(waited=86400, run_after=timezone.now() + datetime.timedelta(hours=1))
    assert client.get("/healthz").status_code == 200  # not due yet: not waiting
    DBTaskResult.objects.filter(pk=result.pk).update(run_after=timezone.now() - datetime.timedelta(seconds=10))
    body = client.get("/healthz").json()
    assert body["tasks"] == "ok" and 5 <= body["oldest_task_waiting_seconds"] < 300


def worker(**options) -> ResilientWorker:
    defaults = dict(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    return ResilientWorker(**{**defaults, **options})


def test_the_worker_beats_and_the_health_check_reports_it(client):
    worker().run()  # batch: nothing to do, one beat, exits
    beat = WorkerHeartbeat.objects.get(worker_id="test-worker")
    assert beat.pid > 0 and timezone.now() - beat.last_seen_at < datetime.timedelta(seconds=30)
    assert client.get("/healthz").json()["worker_last_seen_seconds"] is not None


def test_the_worker_keeps_going_when_claiming_hits_a_locked_database(monkeypatch, caplog):
    from django.db.utils import OperationalError

    attempts = []
    real_claim = ResilientWorker.claim

    def claim_locked_twice(self):
        attempts.append(1)
        if len(attempts) <= 2:
            raise OperationalError("database is locked")
        return real_claim(self)

    monkeypatch.setattr(ResilientWorker, "claim", claim_locked_twice)
    monkeypatch.setattr("core.worker.time.sleep", lambda seconds: None)
    worker().run()  # the upstream loop raised out of run() on the first lock
    assert len(attempts) == 3
    assert "database is locked" in caplog.text


def test_other_database_errors_end_the_worker_for_its_supervisor(monkeypatch):
    from django.db.utils import OperationalError

    def claim_broken(self):
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    monkeypatch.setattr(ResilientWorker, "claim", claim_broken)
    with pytest.raises(OperationalError):
        worker().run()
