from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from cookies import views as cookies_views
from core import admin_previews

from . import views
from .sitemaps import SITEMAPS

urlpatterns = [
    path("", views.root, name="root"),
    path(".well-known/gpc.json", cookies_views.gpc_json, name="gpc_json"),
    path("cookies/demo-analytics.gif", cookies_views.demo_pixel, name="cookies_demo_pixel"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt),
    # Staff only (admin_view): every registered email, in every language (core.email_previews).
    path("admin/email-previews/", include(admin_previews.urlpatterns())),
    # GET and HEAD only, like every page (the sitemaps view answers any method).
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("privacy/", include("notices.urls")),
    # Subscriptions share the policy's address (/<lang>/privacy/subscribe/) but not its app.
    path("privacy/", include("subscriptions.urls")),
    path("privacy/requests/", include("rights.urls")),
    path("cookies/", include("cookies.urls")),
    prefix_default_language=True,
)

handler400 = "privacy_site.views.bad_request"
handler404 = "privacy_site.views.page_not_found"
handler500 = "privacy_site.views.server_error"
