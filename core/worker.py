"""The task worker's loop: django-tasks-db's, made to survive a locked database and to beat.

django-tasks-db 0.13 enters its claim transaction (`BEGIN EXCLUSIVE` on SQLite) outside its
own `except OperationalError`, so one write lock held longer than the busy timeout (a
migration, a VACUUM, a burst of writes) raised "database is locked" out of the loop and the
worker exited for good. Here the whole claim is inside the retry; the fix is offered upstream
(contrib/upstream/django-tasks-db-locked-claim.patch) and this module goes when it lands.

The loop also writes a heartbeat (WorkerHeartbeat) every HEARTBEAT_SECONDS, so a worker that
stops, for whatever reason, is visible in the admin; /healthz watches the queue's age.
"""

import logging
import os
import random
import socket
import time

from django.db import DatabaseError, close_old_connections
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5
# Rows of workers gone this long are removed when a worker starts (the admin shows the rest).
FORGET_AFTER = timezone.timedelta(days=7)


class ResilientWorker(Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.started_at = timezone.now()
        self.last_beat = 0.0
        self.problem = ""

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        self.forget_old_workers()
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 (spreads workers started together)

        while self.running:
            close_old_connections()
            self.beat()
            try:
                task_result = self.claim()
                retrieved = True
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise  # not a lock: let the supervisor restart the process, loudly
                logger.warning("database is locked; the worker tries again in %ss", self.interval or 1)
                self.problem = f"{timezone.now():%Y-%m-%d %H:%M:%S} database locked"
                task_result, retrieved = None, False

            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("Ran the maximum tasks (%d) on worker=%s - exiting.", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval or (0 if retrieved else 1))

    def claim(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)  # so no other worker runs it
        return task_result

    def beat(self) -> None:
        if time.monotonic() - self.last_beat < HEARTBEAT_SECONDS:
            return
        try:
            WorkerHeartbeat.objects.update_or_create(
                worker_id=self.worker_id,
                defaults={
                    "hostname": socket.gethostname()[:255],
                    "pid": os.getpid(),
                    "started_at": self.started_at,
                    "last_seen_at": timezone.now(),
                    "tasks_run": self._run_tasks,
                    "last_problem": self.problem[:255],
                },
            )
        except DatabaseError as error:
            # The beat is a report, not work: a locked database delays it, the claim says more.
            logger.warning("worker heartbeat not written: %s", error)
            return
        self.last_beat = time.monotonic()

    def forget_old_workers(self) -> None:
        try:
            WorkerHeartbeat.objects.filter(last_seen_at__lt=timezone.now() - FORGET_AFTER).delete()
        except DatabaseError as error:
            logger.warning("old worker heartbeats not removed: %s", error)
