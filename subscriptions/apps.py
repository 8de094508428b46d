from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    """Change notices by email: subscribers, one campaign per material version, deliveries."""

    name = "subscriptions"
    verbose_name = _("Change notices by email")

    def ready(self):
        from core.signals import personal_data_erase, personal_data_export
        from notices.signals import version_published

        from . import checks, receivers  # noqa: F401  (checks registers the delivery timing check)

        # notices sits below this app and never imports it: it announces, we listen.
        version_published.connect(receivers.campaign_for_published_version, dispatch_uid="subscriptions.campaign")
        # A verified privacy request (rights app) reads or erases the address's subscription.
        personal_data_export.connect(receivers.subscription_export, dispatch_uid="subscriptions.export")
        personal_data_erase.connect(receivers.subscription_erase, dispatch_uid="subscriptions.erase")
