from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCounter(models.Model):
    """How many attempts one (keyed-hash) client or address made in the current window.

    Counted in the database, not in a cache: the database is what every worker and every
    host shares, and its row lock makes the count exact (a cache's get-then-set is not).
    """

    key = models.CharField(_("key"), max_length=64, primary_key=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    expires_at = models.DateTimeField(_("window ends"), db_index=True)

    class Meta:
        verbose_name = _("rate counter")
        verbose_name_plural = _("rate counters")
        default_permissions = ()

    def __str__(self):
        return f"{self.key[:12]}… {self.count}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker process (shown in the admin and /healthz).

    A worker writes its row every few seconds from its own loop, so a worker that is stuck or
    dead stops beating: the admin shows how long ago each one was seen.
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)
    tasks_run = models.PositiveIntegerField(_("tasks run"), default=0)
    last_problem = models.CharField(_("last problem"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        ordering = ["-last_seen_at"]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.hostname}:{self.pid}"
