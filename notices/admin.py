from django.contrib import admin
from django.db import transaction
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from . import selectors
from .models import Jurisdiction, PolicyVersion, Section


@admin.register(Jurisdiction)
class JurisdictionAdmin(TabbedTranslationAdmin):
    list_display = ("code", "name", "countries", "subdivisions", "order")
    search_fields = ("code", "name", "countries", "subdivisions")

    # The country → addenda map and the rendered pages are cached; an edit retires them.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(selectors.content_changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(selectors.content_changed)


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
