"""Atom feed of published versions (django.contrib.syndication).

Entry ids are absolute (SITE_URL and the version's permanent address in the feed's
language), so they stay the same wherever the feed is read from. Dates: a version is
published before it takes effect; one whose record says it was published *after* its
effective date was imported from the history (the import time is not when it was
published), so its effective date stands for both.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import selectors


class VersionFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Privacy Policy versions")

    def subtitle(self):
        return _("Every published version of the Privacy Policy, with what changed.")

    def link(self):
        return reverse("notices:version_list")

    def feed_url(self):
        return reverse("notices:feed")

    def items(self):
        return selectors.version_history(on=selectors.legal_today())

    def item_title(self, item):
        return _("Privacy Policy effective %(date)s") % {"date": item.effective_date.isoformat()}

    def item_description(self, item):
        return render_to_string("notices/feed_item.html", {"version": item})

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return settings.SITE_URL + item.url

    def author_name(self):
        return str(settings.NOTICES_SITE_NAME)

    def author_link(self):
        return settings.SITE_URL + reverse("notices:policy")

    def item_pubdate(self, item):
        return published(item)

    def item_updateddate(self, item):
        return published(item)


def published(item) -> datetime.datetime:
    """When the version was made public: its publish time, or its effective date if that was earlier."""
    took_effect = datetime.datetime.combine(
        item.effective_date, datetime.time.min, tzinfo=ZoneInfo(settings.NOTICES_LEGAL_TIME_ZONE)
    )
    if item.published_at is None or item.published_at > took_effect:
        return took_effect
    return item.published_at
