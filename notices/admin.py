from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from .models import Jurisdiction, PolicyVersion, Section


@admin.register(Jurisdiction)
class JurisdictionAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "countries", "subdivisions", "order")
    search_fields = ("code", "name", "countries", "subdivisions")


class SectionInline(TranslationStackedInline):
    model = Section
    extra = 0
    fields = ("order", "anchor", "jurisdiction", "heading", "body")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(TabbedTranslationAdmin):
    list_display = ("effective_date", "status", "material", "published_at", "published_by")
    list_filter = ("status", "material")
    date_hierarchy = "effective_date"
    readonly_fields = ("status", "published_at", "published_by", "source_sha256", "created_at", "updated_at")
    inlines = [SectionInline]
