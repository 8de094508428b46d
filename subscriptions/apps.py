from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    """Change notices by email: subscribers, one campaign per material version, deliveries."""

    name = "subscriptions"
    verbose_name = _("Change notices by email")

    def ready(self):
        from django_tasks.signals import task_finished

        from core.signals import personal_data_erase, personal_data_export
        from notices import hooks
        from notices.signals import version_published, version_withdrawn

        from . import checks, receivers, selectors  # noqa: F401  (checks registers the delivery timing check)

        # notices sits below this app and never imports it: it announces, we listen.
        version_published.connect(receivers.campaign_for_published_version, dispatch_uid="subscriptions.campaign")
        # Staff preview every email (core.email_previews); this app's two.
        from .previews import register_previews

        register_previews()
        # The worker announces each finished task; a confirmation's stored result is deleted.
        task_finished.connect(receivers.task_result_forget, dispatch_uid="subscriptions.task-result-forget")

        # A verified privacy request (rights app) reads or erases the address's subscription.
        personal_data_export.connect(receivers.subscription_export, dispatch_uid="subscriptions.export")
        personal_data_erase.connect(receivers.subscription_erase, dispatch_uid="subscriptions.erase")

        version_withdrawn.connect(receivers.correction_for_withdrawn_version, dispatch_uid="subscriptions.correction")
        # ...and the editors' publish and withdraw pages show who is emailed, and the campaign.
        hooks.AUDIENCE_PROVIDERS.append(selectors.audience)
        hooks.FOLLOW_UP_PROVIDERS.append(selectors.campaign_links)
