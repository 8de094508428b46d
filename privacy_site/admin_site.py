"""The admin site: Django's, with a second factor for those who publish (second_factor.py)."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path

from . import second_factor


class PrivacyAdminSite(admin.AdminSite):
    login_form = second_factor.SecondFactorLoginForm
    login_template = "admin/login_second_factor.html"

    def has_permission(self, request):
        return super().has_permission(request) and second_factor.verified(request)

    def login(self, request, extra_context=None):
        user = request.user
        if (
            request.method == "GET"
            and not second_factor.verified(request)
            and not second_factor.user_has_device(user, confirmed=True)
        ):
            return redirect("admin:second_factor_pair")  # password given, no app paired yet
        return super().login(request, extra_context)

    def get_urls(self):
        pair = self.admin_view_without_permission(second_factor.pair)
        return [path("second-factor/", pair, name="second_factor_pair"), *super().get_urls()]

    def admin_view_without_permission(self, view):
        """For the pairing page: signed in with the password, not yet with the code."""

        def wrapped(request, *args, **kwargs):
            if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
                return redirect("admin:login")
            return view(request, self, *args, **kwargs)

        return wrapped
