"""A second factor (TOTP, django-otp) for the people who publish legal text.

ADMIN_OTP_REQUIRED_FOR says who needs one: "nobody", "publishers" (users who hold
ADMIN_OTP_PUBLISH_PERMISSION, superusers included: they can publish too) or "staff". Prod
settings default to "publishers". Such a user signs in with password *and* the six-digit code
of their authenticator app; one who has no app yet is taken, after the password, to a page
that pairs one (key and QR code) and checks a first code before anything else opens.
Wrong codes are throttled by django-otp (each failure doubles the wait); wrong passwords by
django-axes, as before.
"""

import io

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator app"


def needs_second_factor(user) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    required_for = settings.ADMIN_OTP_REQUIRED_FOR
    if required_for == "staff":
        return True
    if required_for == "publishers":
        return user.is_superuser or user.has_perm(settings.ADMIN_OTP_PUBLISH_PERMISSION)
    return False


def verified(request) -> bool:
    user = request.user
    return not needs_second_factor(user) or (hasattr(user, "is_verified") and user.is_verified())


class SecondFactorLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin login: password, then (for those who need it and have a device) the code."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {
        "token_required": _("Enter the six-digit code from your authenticator app."),
        "invalid_token": _("That code is not valid. Check the time on your phone and try again."),
        "verification_failed": _("That code is not valid. Check the time on your phone and try again."),
        "n_failed_attempts": _("Too many wrong codes (%(failure_count)d): wait a little, then try again."),
        "device_required": _("Pair an authenticator app first."),
        "verification_not_allowed": _("Codes cannot be checked right now: wait a moment and try again."),
        "challenge_exception": _("Codes cannot be checked right now: wait a moment and try again."),
        "not_interactive": _("Codes cannot be checked right now: wait a moment and try again."),
        "challenge_message": _("Enter the six-digit code from your authenticator app."),
    }

    def _chosen_device(self, user):
        # One app per person: the newest confirmed one (no device picker on the form).
        return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()

    def _update_form(self, user):
        pass  # no device picker: one app per person

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        # Only those who need a second factor and have paired an app are asked for it here;
        # the others who need one are sent to pair one right after the password.
        if needs_second_factor(user) and user_has_device(user, confirmed=True):
            self.clean_otp(user)
        return cleaned


class PairingForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def qr_svg(data: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=2)
    return out.getvalue().decode()


@csrf_protect
@never_cache
def pair(request, admin_site):
    """Pair an authenticator app: the key as text and as a QR code, then a first code."""
    user = request.user
    if not needs_second_factor(user):
        return redirect("admin:index")
    if user_has_device(user, confirmed=True) and not verified(request):
        # Already paired: the code is asked for at login, never a second pairing from a
        # session that has only the password.
        return redirect(f"{reverse('admin:login')}?{REDIRECT_FIELD_NAME}={reverse('admin:index')}")
    device = next(iter(devices_for_user(user, confirmed=False)), None)
    if not isinstance(device, TOTPDevice):
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = PairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect("admin:index")
        form.add_error("otp_token", SecondFactorLoginForm.otp_error_messages["invalid_token"])
    context = {
        **admin_site.each_context(request),
        "title": _("Pair an authenticator app"),
        "form": form,
        "key": device.bin_key.hex() and _base32(device.bin_key),
        "qr": qr_svg(device.config_url),
    }
    return render(request, "admin/second_factor_pair.html", context)


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
