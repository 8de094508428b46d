"""Retention on its own: a daily task prunes records older than CONSENT_RETENTION_DAYS."""

import datetime
import logging

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cookies.models import ConsentRecord, RetentionSchedule
from tests.tasks import queued, run_due_tasks

from .test_records import make_record

pytestmark = pytest.mark.django_db(transaction=True)
TASK = "consents_prune_daily"


def names(done):
    return [name.rsplit(".", 1)[-1] for name, _value in done]


def arm():
    call_command("schedule_consent_pruning", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_daily_task_prunes_old_records_logs_the_count_and_comes_back(cookie_groups, settings, caplog):
    settings.CONSENT_RETENTION_DAYS = 30
    now = timezone.now()
    old = make_record(created_at=now - datetime.timedelta(days=31), consent_id="a" * 32)
    young = make_record(created_at=now - datetime.timedelta(days=29), consent_id="b" * 32)
    arm()
    with caplog.at_level(logging.INFO, logger="cookies.retention"):
        done = run_due_tasks()
    assert names(done) == [TASK] and done[0][1] == 1
    assert list(ConsentRecord.objects.values_list("pk", flat=True)) == [young.pk]
    assert not ConsentRecord.objects.filter(pk=old.pk).exists()
    assert "consent records pruned: 1 older than 30 days" in caplog.text
    # tomorrow's run is queued, not due yet
    assert len(queued()) == 1
    assert run_due_tasks() == []
    with time_machine.travel(now + datetime.timedelta(days=2, hours=1)):
        done = run_due_tasks()
        assert names(done) == [TASK] and done[0][1] == 1  # the young record is 31 days old now
        assert not ConsentRecord.objects.exists()
    schedule = RetentionSchedule.objects.get()
    assert schedule.last_deleted == 1 and schedule.next_run > now + datetime.timedelta(days=2)


def test_arming_again_retires_the_older_chain(cookie_groups):
    arm()
    arm()
    done = run_due_tasks()
    assert sorted(value is None for _name, value in done) == [False, True]  # one pruned, one retired
    assert len(queued()) == 1  # one chain left


def test_prune_consents_stays_for_manual_use(cookie_groups):
    make_record(created_at=timezone.now() - datetime.timedelta(days=10))
    call_command("prune_consents", "--older-than", "5", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not ConsentRecord.objects.exists()
