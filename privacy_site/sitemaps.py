"""sitemap.xml (django.contrib.sitemaps): every indexable page, in every language.

Each entry lists its four translations and an x-default (the address without a language
prefix, which redirects by the browser's language). Absolute addresses come
from SITE_URL, never from the request's Host. Left out: the version in force (its page's
canonical is the policy), versions whose text is not held (noindex), per-visitor and token
pages.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from notices import selectors
from notices.feeds import published


class SiteSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(SiteSitemap):
    changefreq = "monthly"

    def items(self):
        return ["notices:policy", "notices:version_list", "subscriptions:subscribe", "cookie_consent_cookie_group_list"]

    def location(self, item):
        return reverse(item)

    def priority(self, item):
        return 1.0 if item == "notices:policy" else 0.5

    def lastmod(self, item):
        if item in ("notices:policy", "notices:version_list"):
            history = selectors.version_history(on=selectors.legal_today())
            in_force = [v for v in history if v.state == "in-force"]
            return published(in_force[0]) if in_force else None
        return None


class VersionsSitemap(SiteSitemap):
    changefreq = "yearly"
    priority = 0.3

    def items(self):
        history = selectors.version_history(on=selectors.legal_today())
        return [v for v in history if v.has_text and v.state != "in-force"]

    def location(self, item):
        return item.url

    def lastmod(self, item):
        return published(item)


SITEMAPS = {"pages": PagesSitemap, "versions": VersionsSitemap}
