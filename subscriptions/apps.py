from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    """Change notices by email: subscribers, one campaign per material version, deliveries."""

    name = "subscriptions"
    verbose_name = _("Change notices by email")

    def ready(self):
        from . import checks  # noqa: F401  (registers the delivery timing check)
