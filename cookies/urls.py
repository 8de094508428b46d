# The names are django-cookie-consent's, so its status endpoint and settings resolve to ours.
from django.urls import path

from . import views

urlpatterns = [
    path("", views.cookie_settings, name="cookie_consent_cookie_group_list"),
    path("accept/", views.accept, name="cookie_consent_accept"),
    path("decline/", views.decline, name="cookie_consent_decline"),
    path("save/", views.save, name="cookie_consent_save"),
    path("withdraw/", views.withdraw, name="cookie_consent_withdraw"),
    path("status/", views.status, name="cookie_consent_status"),
]
