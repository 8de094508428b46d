from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The visitor (client address, location, consent) and the one shared cache."""

    name = "core"
    verbose_name = _("Site core")
