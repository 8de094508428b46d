from django.urls import path, register_converter
from django.views.decorators.http import require_safe

from . import views
from .converters import IsoDateConverter
from .feeds import VersionFeed

register_converter(IsoDateConverter, "isodate")

app_name = "notices"
urlpatterns = [
    path("", views.policy, name="policy"),
    path("region/", views.region, name="region"),
    path("versions/", views.version_list, name="version_list"),
    path("versions/compare/", views.version_compare, name="version_compare"),
    path("versions/<isodate:effective_date>/", views.version_detail, name="version_detail"),
    path("versions/<isodate:a>/diff/<isodate:b>/", views.version_diff, name="version_diff"),
    # GET and HEAD only, like every page (syndication's Feed answers any method).
    path("feed/", require_safe(VersionFeed()), name="feed"),
]
