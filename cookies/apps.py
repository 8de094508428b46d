from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CookiesConfig(AppConfig):
    name = "cookies"
    verbose_name = _("Cookie consent")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.delivery import register_slot
        from core.signals import personal_data_export
        from core.visitor import set_consent_resolver

        from . import banner, personal_data, signals
        from .state import consent_for

        signals.connect()
        # request.visitor.consent is this app's ConsentState (core imports no app).
        set_consent_resolver(consent_for)
        # A verified privacy request's export includes this browser's records (rights app).
        personal_data_export.connect(personal_data.consent_records_export, dispatch_uid="cookies.personal_data")

        # The markers banner.splice fills per visitor: cached pages are compressed around them.
        register_slot(banner.PREFIX)
