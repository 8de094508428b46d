from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Privacy notices")

    def ready(self):
        from django.conf import settings

        from . import checks  # noqa: F401 (registers the system checks)

        if settings.GEOIP_PATH:
            # Open the MaxMind reader once per process, now, so an unusable database is
            # logged once at start-up rather than noticed on a visitor's request.
            from .geo import geoip_reader

            geoip_reader()
