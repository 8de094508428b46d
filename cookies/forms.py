from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .selectors import Catalogue

# Fields that may appear once; repeating one is a forged or broken form, not a choice.
SINGLE_FIELDS = ("all_groups", "next", "context", "csrfmiddlewaretoken")


class ChoiceForm(forms.Form):
    """A choice posted from the banner or the settings page (django-cookie-consent's fields,
    plus where to go next and the server-signed context of the form, see choices.py)."""

    all_groups = forms.BooleanField(required=False)
    cookie_groups = forms.MultipleChoiceField(required=False)
    next = forms.CharField(required=False, max_length=1000)
    context = forms.CharField(required=False, max_length=400)

    def __init__(self, data, *, groups: Catalogue):
        super().__init__(data)
        self.groups = groups
        self.fields["cookie_groups"].choices = [(g.varname, g.varname) for g in groups.optional]

    def clean(self):
        repeated = [name for name in SINGLE_FIELDS if len(self.data.getlist(name)) > 1]
        if repeated:
            raise ValidationError(
                _("A field was sent more than once: %(fields)s."), params={"fields": ", ".join(repeated)}
            )
        values = self.data.getlist("cookie_groups")
        if len(values) > len(self.groups.optional):
            raise ValidationError(_("Too many cookie categories were sent."))
        return super().clean()

    def selected(self) -> set[str]:
        if self.cleaned_data["all_groups"]:
            return set(self.groups.optional_names)
        return set(self.cleaned_data["cookie_groups"])
