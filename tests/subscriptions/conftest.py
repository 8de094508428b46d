import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from notices import services as notices_services
from notices.source import parse_policy_text
from subscriptions import tokens
from subscriptions.models import PendingSubscription, Subscriber, normalise_email
from tests.notices.factories import policy_text
from tests.tasks import run_due_tasks

from .backends import ScriptedBackend

NEW_DATE = "2031-03-01"


@pytest.fixture
def material_draft(launch_content):
    """An unpublished material version that follows the launch policy, with a Korean summary."""
    source = parse_policy_text(
        policy_text(effective_date=NEW_DATE, material="true", summary="We now keep logs for 30 days."),
        path="2031-03-01.md",
    )
    version = notices_services.policy_import(source=source).version
    version.summary_ko = "로그를 30일 동안 보관합니다."
    version.save(update_fields=["summary_ko"])
    return version


def make_subscribers(count, *, languages=("en", "ko", "zh-hans", "ja"), prefix="reader"):
    now = timezone.now()
    return Subscriber.objects.bulk_create(
        Subscriber(
            email=f"{prefix}{i}@example.com",
            email_key=f"{prefix}{i}@example.com",
            language=languages[i % len(languages)],
            confirmed_at=now - datetime.timedelta(days=1),
        )
        for i in range(count)
    )


@pytest.fixture
def subscribers(db):
    return make_subscribers(8)


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish, commit (which queues the campaign), and let a worker run what is due."""

    def run(version):
        with django_capture_on_commit_callbacks(execute=True):
            notices_services.version_publish(version=version)
        run_due_tasks()
        version.refresh_from_db()
        return version

    return run


@pytest.fixture
def scripted(settings):
    """An email backend whose every send a test scripts (refuse, accept, time out)."""
    settings.EMAIL_BACKEND = "tests.subscriptions.backends.ScriptedBackend"
    ScriptedBackend.reset()
    yield ScriptedBackend
    ScriptedBackend.reset()


def pending_link(email="ada@example.com", language="en") -> str:
    """A confirmation link token for a pending request, as the confirmation task issues it."""
    now = timezone.now()
    token, token_hash = tokens.issue(salt=tokens.CONFIRM_SALT)
    PendingSubscription.objects.create(
        email=email,
        email_key=normalise_email(email),
        language=language,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE),
    )
    return token
