"""Forget the addresses earlier confirmation tasks left in the task queue's table.

Before 0003 the confirmation task took the address itself as an argument, and django-tasks-db
kept every such task's arguments (and its traceback, on failure) until someone pruned them.
Finished ones are deleted here; one still waiting to run becomes a pending subscription (the
address kept only until its link expires, as for any new request) and its task carries the
pending row's opaque reference instead.
"""

import datetime
import importlib
import uuid

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TASK_PATH = "subscriptions.tasks.confirmation_send"
# The key as 0002 made it (one mailbox, one subscriber), frozen there.
normalise = importlib.import_module("subscriptions.migrations.0002_rekey_addresses").normalise


def forget(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    PendingSubscription = apps.get_model("subscriptions", "PendingSubscription")
    alias = schema_editor.connection.alias
    results = DBTaskResult.objects.using(alias).filter(task_path=TASK_PATH)
    now = timezone.now()
    for result in results.filter(status="READY"):
        args = (result.args_kwargs or {}).get("args") or []
        if len(args) != 2:
            continue  # already an opaque reference
        email, language = str(args[0]), str(args[1])
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        pending = PendingSubscription.objects.using(alias).create(
            reference=uuid.uuid4(),
            email=email,
            email_key=normalise(email),
            language=language,
            created_at=now,
            expires_at=now + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE),
        )
        result.args_kwargs = {"args": [str(pending.reference)], "kwargs": {}}
        result.save(update_fields=["args_kwargs"])
    # A running one is left to its worker (its result goes when it finishes, see receivers).
    results.filter(status__in=["SUCCESSFUL", "FAILED"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0004_withdrawal_corrections"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
