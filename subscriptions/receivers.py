"""What subscriptions does when the notices app announces something (connected in apps.py)."""

from . import services


def campaign_for_published_version(sender, *, version, historical: bool, **kwargs) -> None:
    """Create the change notice of a material version as it is published; it is queued on commit.

    Created inside the publishing transaction, so a version is never published without its
    notice, nor a notice left for a publish that was rolled back.
    """
    if version.material and not historical:
        services.campaign_create(version=version)


def subscription_export(sender, *, email: str, **kwargs) -> dict:
    """What a verified privacy request's export holds from this app: the subscription and the notices sent."""
    from .models import Delivery, Subscriber, normalise_email

    subscriber = Subscriber.objects.filter(email_key=normalise_email(email)).first()
    if subscriber is None:
        return {"subscriptions": []}
    deliveries = Delivery.objects.filter(subscriber=subscriber).select_related("campaign__version").order_by("pk")
    return {
        "subscriptions": [
            {
                "email": subscriber.email,
                "language": subscriber.language,
                "status": subscriber.status,
                "confirmed_at": subscriber.confirmed_at.isoformat(),
                "unsubscribed_at": subscriber.unsubscribed_at.isoformat() if subscriber.unsubscribed_at else None,
                "notices": [
                    {
                        "policy_version": d.campaign.version.effective_date.isoformat(),
                        "status": d.status,
                        "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                    }
                    for d in deliveries
                ],
            }
        ]
    }


def subscription_erase(sender, *, email: str, **kwargs) -> dict:
    """A verified deletion request erases the subscription and its deliveries at once."""
    from .models import Subscriber, normalise_email

    deleted, _by_model = Subscriber.objects.filter(email_key=normalise_email(email)).delete()
    return {"subscriptions": 1 if deleted else 0}
