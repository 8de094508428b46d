from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    # EmailField refuses CR/LF and anything else that is not one address, so no header can
    # be smuggled through it; 254 is the longest address SMTP allows.
    email = forms.EmailField(label=_("Email address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the emails"), choices=settings.LANGUAGES)
