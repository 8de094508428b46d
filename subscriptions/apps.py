from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    """Change notices by email: subscribers, one campaign per material version, deliveries."""

    name = "subscriptions"
    verbose_name = _("Change notices by email")

    def ready(self):
        from notices import hooks
        from notices.signals import version_published, version_withdrawn

        from . import checks, receivers, selectors  # noqa: F401  (checks registers the delivery timing check)

        # notices sits below this app and never imports it: it announces, we listen.
        version_published.connect(receivers.campaign_for_published_version, dispatch_uid="subscriptions.campaign")
        version_withdrawn.connect(receivers.correction_for_withdrawn_version, dispatch_uid="subscriptions.correction")
        # ...and the editors' publish and withdraw pages show who is emailed, and the campaign.
        hooks.AUDIENCE_PROVIDERS.append(selectors.audience)
        hooks.FOLLOW_UP_PROVIDERS.append(selectors.campaign_links)
