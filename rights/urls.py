"""Mounted by privacy_site.urls at /<lang>/privacy/requests/, in its own namespace."""

from django.urls import path

from . import views

app_name = "rights"
urlpatterns = [
    path("", views.request_form, name="request"),
    path("sent/", views.request_sent, name="sent"),
    path("confirm/<str:token>/", views.request_confirm, name="verify"),
    path("status/<str:token>/", views.request_status, name="status"),
]
