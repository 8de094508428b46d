from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    """Privacy requests: the form the policy promises, verified by email, timed per law."""

    name = "rights"
    verbose_name = _("Privacy requests")
    default_auto_field = "django.db.models.BigAutoField"
