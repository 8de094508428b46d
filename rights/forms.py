from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from .choices import Law, RequestType

MAX_DETAILS = 5000


class RequestForm(forms.Form):
    request_type = forms.ChoiceField(label=_("What would you like us to do?"), choices=RequestType.choices)
    jurisdiction = forms.ChoiceField(
        label=_("Where do you live?"),
        choices=[("", _("Choose…")), *Law.choices],
        help_text=_(
            "The law of this place sets our deadline, or the law where you are now if its deadline is "
            "sooner. We suggest where your connection appears to be."
        ),
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    # EmailField refuses CR/LF and anything that is not one address: no header injection.
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send a link to this address: the request counts once it is confirmed from this mailbox."),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=MAX_DETAILS,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 30}),  # narrow even before the stylesheet
        help_text=_("Anything that helps us find your data or understand your request (optional)."),
    )
    language = forms.ChoiceField(label=_("Language of our replies"), choices=settings.LANGUAGES)
    by_agent = forms.BooleanField(
        label=_("I am an authorised agent acting for a California consumer"),
        required=False,
        help_text=_(
            "Then enter the consumer's name and email address above and your own details below. "
            "The consumer must confirm the request from their own mailbox."
        ),
    )
    agent_name = forms.CharField(label=_("Agent's name"), max_length=200, required=False)
    agent_email = forms.EmailField(label=_("Agent's email address"), max_length=254, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(ProhibitNullCharactersValidator())

    def clean_name(self):
        name = self.cleaned_data["name"]
        if any(ord(c) < 32 for c in name):
            raise forms.ValidationError(_("A name cannot contain line breaks or control characters."))
        return name

    def clean_agent_name(self):
        name = self.cleaned_data["agent_name"]
        if any(ord(c) < 32 for c in name):
            raise forms.ValidationError(_("A name cannot contain line breaks or control characters."))
        return name

    def clean(self):
        data = super().clean()
        law, kind = data.get("jurisdiction"), data.get("request_type")
        if kind == RequestType.OVERSEAS and law and law != Law.KR:
            self.add_error("request_type", _("Refusing an overseas transfer is a right under South Korean law."))
        if data.get("by_agent"):
            if law and law != Law.US_CA:
                self.add_error("by_agent", _("Requests through an authorised agent are for California consumers."))
            for field in ("agent_name", "agent_email"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, _("An authorised agent must give their name and email address."))
            if data.get("agent_email") and data.get("email") and data["agent_email"].lower() == data["email"].lower():
                self.add_error("agent_email", _("Enter the consumer's address above and your own, different one here."))
        else:
            data["agent_name"] = data["agent_email"] = ""
        return data


class ConfirmForm(forms.Form):
    """The button behind a verification link: a mail scanner that follows links verifies nothing."""
