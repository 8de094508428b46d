"""Reads for the editors' pages: who a version's email goes to, and where to follow it."""

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from notices.hooks import AudienceLine, FollowUp

from .models import Campaign, Delivery, Subscriber


def audience(version) -> list[AudienceLine]:
    """Per language: who publishing would email, or, once published, who was sent its notice."""
    names = dict(settings.LANGUAGES)
    if not version.is_published:
        if not version.material:
            return []
        counts = dict(Subscriber.objects.active().values_list("language").annotate(n=Count("pk")))
        label = _("Confirmed subscribers who will be emailed, %(language)s")
    else:
        rows = Delivery.objects.filter(
            campaign__version=version,
            campaign__kind=Campaign.Kind.NOTICE,
            status__in=[Delivery.Status.SENT, Delivery.Status.SENDING],
        )
        counts = dict(rows.values_list("subscriber__language").annotate(n=Count("pk")))
        label = _("Subscribers sent its change notice (they get the correction), %(language)s")
    return [AudienceLine(label % {"language": name}, counts.get(code, 0)) for code, name in names.items()]


def campaign_links(version) -> list[FollowUp]:
    return [
        FollowUp(str(campaign), reverse("admin:subscriptions_campaign_change", args=[campaign.pk]))
        for campaign in Campaign.objects.filter(version=version).select_related("version")
    ]
