"""Atom feed of published versions (django.contrib.syndication)."""

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
        return item.url

    def item_updateddate(self, item):
        return item.published_at

    def item_pubdate(self, item):
        return item.published_at
