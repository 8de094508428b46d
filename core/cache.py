"""The one cache helper: every cached value in the project goes through ``cached()``.

One invalidation rule: every key carries the current *generation*, a random token kept in
the shared cache (Django's database cache by default, Redis when REDIS_URL is set).
``bump()`` replaces it, which retires every cached value in every process and on every
host at once, without knowing their keys. Apps call ``invalidate_on(Model, ...)`` for the
models whose changes must reach visitors; a save or delete of one of them (admin, command,
shell, service) bumps the generation when its transaction commits, and so does every
``migrate`` (CoreConfig.ready).

Each process keeps its own copies of what it read, tied to the generation it last saw, so
a warm request neither unpickles nor crosses to the shared cache. That layer is only a
copy: a process re-reads the shared generation at least every ``CHECK_SECONDS``, so a
change reaches every worker within that time.
"""

import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

GENERATION_KEY = "core:generation"
# Well within the one second a publish may take to reach every worker.
CHECK_SECONDS = 0.5
LOCAL_MAX_ENTRIES = 2000
_MISSING = object()


class _Local:
    """This process's view: the generation it last saw, when, and its copies for it."""

    def __init__(self):
        self.generation: str | None = None
        self.checked_at = 0.0
        self.values: dict = {}


_local = _Local()
_lock = threading.Lock()


def forget_local() -> None:
    """Drop this process's copies and generation (tests do, after clearing the cache)."""
    with _lock:
        _local.__init__()


def generation() -> str | None:
    """The current generation, re-read from the shared cache at most every CHECK_SECONDS;
    None when the shared cache cannot be reached."""
    now = time.monotonic()
    if _local.generation is not None and now - _local.checked_at < CHECK_SECONDS:
        return _local.generation
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            value = uuid.uuid4().hex
            # add(): concurrent first requests in several processes agree on one token.
            if not cache.add(GENERATION_KEY, value, timeout=None):
                value = cache.get(GENERATION_KEY) or value
    except Exception:
        # Without the shared generation this process cannot know whether its copies were
        # retired: it drops them and reads the database until the cache answers again.
        logger.warning("shared cache unreachable; serving from the database", exc_info=True)
        forget_local()
        return None
    with _lock:
        if value != _local.generation:
            _local.values = {}
        _local.generation, _local.checked_at = value, now
    return value


def bump(**kwargs) -> str:
    """Retire every cached value, here and in every other process and host."""
    value = uuid.uuid4().hex
    cache.set(GENERATION_KEY, value, timeout=None)
    with _lock:
        _local.generation, _local.checked_at, _local.values = value, time.monotonic(), {}
    return value


def _key(parts: tuple, current: str) -> str:
    return ":".join(["c", current, *map(str, parts)])


def cached(parts: tuple, build, *, timeout: int | None = None):
    """Return the value for these key parts in the current generation, building it once.

    None is a value like any other. Keys must be made of normalised values only (codes
    checked against known ones, dates that exist): whatever a visitor can vary freely must
    never reach a key, or anyone could fill the cache.
    """
    current = generation()
    if current is None:
        return build()
    key = _key(parts, current)
    value = _local.values.get(key, _MISSING)
    if value is not _MISSING:
        return value
    try:
        value = cache.get(key, _MISSING)
    except Exception:
        logger.warning("shared cache unreachable; building %s without it", parts[:1], exc_info=True)
        value = _MISSING
    if value is _MISSING:
        value = build()
        try:
            cache.set(key, value, timeout=timeout or settings.CORE_CACHE_SECONDS)
        except Exception:
            logger.warning("shared cache unreachable; %s not stored", parts[:1], exc_info=True)
    with _lock:
        if _local.generation == current:
            if len(_local.values) >= LOCAL_MAX_ENTRIES:
                _local.values = {}
            _local.values[key] = value
    return value


def bump_on_commit(using=None) -> None:
    """Retire every cached value once the current transaction commits (at once outside one).

    After the commit: a process that rebuilds in between would otherwise cache the old rows
    under the new generation. Robust: the change is committed whatever happens to the
    cache; a failure is logged.
    """
    transaction.on_commit(_bump_after_change, using=using, robust=True)


def _changed(sender, using=None, **kwargs):
    bump_on_commit(using)


def _bump_after_change() -> None:
    try:
        bump()
    except Exception:
        logger.error(
            "a change was committed but the shared cache could not be told: cached pages may "
            "be stale until the cache answers and `manage.py load_cookie_groups` (or any edit) "
            "retires them, or CACHE_SECONDS passes",
            exc_info=True,
        )
        raise


def invalidate_on(*models) -> None:
    """Bump the generation whenever a row of these models is saved or deleted."""
    for model in models:
        label = model._meta.label_lower
        post_save.connect(_changed, sender=model, dispatch_uid=f"core-cache-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"core-cache-delete-{label}")


def after_migrate(sender, **kwargs):
    """A migration may change cached rows (data migrations, new columns): start afresh."""
    try:
        bump()
    except Exception:
        # The cache table may not exist yet (createcachetable runs after migrate).
        logger.info("cache not reachable after migrate; nothing to retire")
