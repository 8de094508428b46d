# The names are django-cookie-consent's, so its status endpoint and settings resolve to ours.
from django.urls import path

from . import views

urlpatterns = [
    path("", views.cookie_settings, name="cookie_consent_cookie_group_list"),
    path("accept/", views.choose, {"action": "accept"}, name="cookie_consent_accept"),
    path("decline/", views.choose, {"action": "decline"}, name="cookie_consent_decline"),
    path("save/", views.choose, {"action": "save"}, name="cookie_consent_save"),
    path("withdraw/", views.choose, {"action": "withdraw"}, name="cookie_consent_withdraw"),
    path("status/", views.status, name="cookie_consent_status"),
    path("receipt/", views.receipt_page, name="cookies_receipt"),
    path("receipt.json", views.receipt_json, name="cookies_receipt_json"),
]
