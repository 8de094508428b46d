from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The visitor (client address, location, consent), the one shared cache, and the organisation."""

    name = "core"
    verbose_name = _("Site core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_migrate

        from . import cache, checks  # noqa: F401 (registers the system checks)
        from .models import Organisation

        # Every page's footer and every email names the organisation: an edit retires them all.
        cache.invalidate_on(Organisation)

        # After every migrate (sent once per app; this one is enough): start afresh.
        post_migrate.connect(cache.after_migrate, sender=self, dispatch_uid="core-cache-migrate")
        if settings.GEOIP_PATH:
            # Open the MaxMind reader once per process, now, so an unusable database is
            # logged once at start-up rather than noticed on a visitor's request.
            from .location import geoip_reader

            geoip_reader()
