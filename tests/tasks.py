"""A worker for the test settings' task backend (DummyBackend), which queues but never runs.

Tests run what is queued when a worker would: run_due_tasks() now, or inside
time_machine.travel() for a task deferred to later (a retry, a campaign's guard).
"""

from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.backends.immediate import ImmediateBackend

# More due tasks than this in one call means tasks keep queueing each other for "now".
MAX_TASKS = 1000


def queued(*, name: str | None = None) -> list:
    """What is waiting to run (due now or later), oldest first."""
    return [
        result
        for result in default_task_backend.results
        if result.status == TaskResultStatus.READY and (name is None or result.task.name == name)
    ]


def run_due_tasks() -> list[tuple[str, object]]:
    """Run every queued task whose time has come, and those they queue for now, as a worker would.

    Returns (task name, return value) for each, in order. A task that raises propagates,
    its result left RUNNING: what a worker that died in the middle of it leaves behind.
    """
    done = []
    for _ in range(MAX_TASKS):
        now = timezone.now()
        due = next((r for r in queued() if r.task.run_after is None or r.task.run_after <= now), None)
        if due is None:
            return done
        # TaskResult is frozen; the backends themselves update it this way.
        object.__setattr__(due, "status", TaskResultStatus.RUNNING)
        value = due.task.call(*due.args, **due.kwargs)
        object.__setattr__(due, "status", TaskResultStatus.SUCCESSFUL)
        done.append((due.task.name, value))
    raise AssertionError(f"more than {MAX_TASKS} tasks due at once: do tasks keep queueing each other?")


class RunAtOnceBackend(ImmediateBackend):
    """Runs every task as it is queued, a deferred one too (for a live server in its own thread,
    whose queue no test can reach). Deferred tasks here are clean-ups that find nothing yet."""

    supports_defer = True
