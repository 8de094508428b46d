"""Which fields carry a column per language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Jurisdiction, PolicyVersion, Section


@register(Jurisdiction)
class JurisdictionTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(PolicyVersion)
class PolicyVersionTranslationOptions(TranslationOptions):
    fields = ("summary",)


@register(Section)
class SectionTranslationOptions(TranslationOptions):
    fields = ("heading", "body", "body_html")
    required_languages = {"en": ("body",), "default": ()}
