"""`manage.py task_worker`: django-tasks-db's `db_worker`, with the loop of core.worker.

Same options as db_worker (see `--help`), except that it never runs inside the autoreloader:
a worker thread that dies inside the reloader leaves a process that looks alive. Restarting
the process when it exits is the supervisor's job (bin/serve under `make run`, systemd in
production: README "Deploying at scale").
"""

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from core.worker import ResilientWorker


class Command(DBWorkerCommand):
    help = "Run the task worker (django-tasks-db's loop, surviving a locked database, with a heartbeat)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
