"""Keep the cached catalogue and django-cookie-consent's own cache in step with every edit."""

from cookie_consent.cache import delete_cache as delete_package_cache
from cookie_consent.models import Cookie, CookieGroup
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from core.cache import invalidate_on


def _package_cache_stale(sender, **kwargs):
    # The package clears its cache on its own models' save(), before the commit; clear it
    # again after, so no request in between leaves the old groups in it.
    transaction.on_commit(delete_package_cache)


def connect() -> None:
    from .models import ConsentModeMapping, ConsentRule, CookieDetail

    invalidate_on(CookieGroup, Cookie, CookieDetail, ConsentRule, ConsentModeMapping)
    for model in (CookieGroup, Cookie):
        post_save.connect(_package_cache_stale, sender=model, dispatch_uid=f"cookies-package-save-{model.__name__}")
        post_delete.connect(_package_cache_stale, sender=model, dispatch_uid=f"cookies-package-del-{model.__name__}")
