"""Keep the cached catalogue in step with every edit to groups, cookies and their details."""

from cookie_consent.models import Cookie, CookieGroup
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import selectors


def _changed(sender, **kwargs):
    transaction.on_commit(selectors.groups_changed)


def connect() -> None:
    from .models import CookieDetail

    for model in (CookieGroup, Cookie, CookieDetail):
        post_save.connect(_changed, sender=model, dispatch_uid=f"cookies-changed-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"cookies-changed-delete-{model.__name__}")
