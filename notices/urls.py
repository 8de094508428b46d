from django.urls import path, register_converter

from . import views
from .converters import IsoDateConverter

register_converter(IsoDateConverter, "isodate")

app_name = "notices"
urlpatterns = [
    path("", views.policy, name="policy"),
    path("region/", views.region, name="region"),
    path("versions/", views.version_list, name="version_list"),
    path("versions/<isodate:effective_date>/", views.version_detail, name="version_detail"),
]
