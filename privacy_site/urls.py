from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.root, name="root"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("privacy/", include("notices.urls")),
    prefix_default_language=True,
)

handler404 = "privacy_site.views.page_not_found"
