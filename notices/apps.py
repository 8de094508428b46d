from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Privacy notices")

    def ready(self):
        from core.cache import invalidate_on

        from . import checks  # noqa: F401  (registers the prevailing-language check)
        from .models import Jurisdiction, PolicyVersion, Section, SectionTranslation, Withdrawal

        # Pages, the history, the feed and the country → addenda map are cached: any saved
        # or deleted row of these (admin, importer, shell) retires them everywhere.
        invalidate_on(PolicyVersion, Section, SectionTranslation, Jurisdiction, Withdrawal)
