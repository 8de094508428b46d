"""Which fields carry a column per language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Organisation


@register(Organisation)
class OrganisationTranslationOptions(TranslationOptions):
    fields = ("name", "short_name", "postal_address", "dpo_name")
    required_languages = {"en": ("name", "short_name", "postal_address", "dpo_name"), "default": ()}
