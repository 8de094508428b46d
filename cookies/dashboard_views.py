"""The consent dashboard in the admin: filters, SVG charts, tables, and the numbers as CSV."""

import csv
import datetime

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notices.places import country_name

from . import charts, dashboard, services
from .models import ConsentRecord, RetentionSchedule

DEFAULT_WEEKS = 12
MAX_DAYS = 3 * 366


class DashboardForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.RegexField(
        label=_("Region"),
        required=False,
        regex=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
        max_length=6,
        help_text=_("A country (DE) or a subdivision (US-CO)."),
        error_messages={"invalid": _("Enter a country code (DE) or a subdivision code (US-CO).")},
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["language"].choices = everything + list(settings.LANGUAGES)
        self.fields["source"].choices = everything + list(ConsentRecord.Source.choices)

    def clean(self):
        data = super().clean()
        today = timezone.now().date()
        until = data.get("until") or today
        since = data.get("since") or until - datetime.timedelta(weeks=DEFAULT_WEEKS - 1)
        if since > until:
            raise forms.ValidationError(_("The start of the period is after its end."))
        if (until - since).days > MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["since"], data["until"] = since, until
        return data

    def filters(self) -> dashboard.Filters:
        """Whole weeks: from the Monday of the first day's week to the Sunday of the last's."""
        data = self.cleaned_data
        return dashboard.Filters(
            first_week=dashboard.monday(data["since"]),
            last_week=dashboard.monday(data["until"]),
            region=(data.get("region") or "").upper(),
            language=data.get("language") or "",
            source=data.get("source") or "",
        )


def label_for(dimension: str, language: str):
    sources = dict(ConsentRecord.Source.choices)
    languages = dict(settings.LANGUAGES)

    def label(key: str) -> str:
        if key == dashboard.OTHER:
            return gettext("Others")
        if not key:
            return gettext("Unknown")
        if dimension == "region":
            country, _sep, sub = key.partition("-")
            return f"{country_name(country, language)} ({sub})" if sub else country_name(country, language)
        if dimension == "language":
            return str(languages.get(key, key))
        if dimension == "source":
            return str(sources.get(key, key))
        return key

    return label


def dashboard_view(request, admin_site):
    form = DashboardForm(request.GET or None)
    if request.GET and not form.is_valid():
        context = {**admin_site.each_context(request), "title": gettext("Consent dashboard"), "form": form}
        return TemplateResponse(request, "admin/cookies/consentrecord/dashboard.html", context, status=400)
    if not request.GET:
        form = DashboardForm({})
        form.is_valid()
    filters = form.filters()
    # Normally the daily task has counted them all; only this period's are looked for here.
    services.consent_weeks_count(first_week=filters.first_week)
    result = dashboard.report(filters)
    if request.GET.get("format") == "csv":
        return csv_response(result, request.LANGUAGE_CODE)
    language = request.LANGUAGE_CODE
    sections = []
    for name, title in dashboard.DIMENSIONS:
        rows = result.by[name]
        label = label_for(name, language)
        sections.append(
            {
                "name": name,
                "title": title,
                "chart": charts.stacked_bars(
                    rows, chart_id=f"chart-{name}", title=title, outcomes=dashboard.OUTCOMES, label_for=label
                ),
                "rows": [
                    {
                        "label": label(row.key),
                        "total": row.total,
                        "cells": [(row.counts.get(o, 0), 100 * row.rate(o)) for o, _n in dashboard.OUTCOMES],
                    }
                    for row in rows
                ],
            }
        )
    overall = result.overall
    context = {
        **admin_site.each_context(request),
        "title": gettext("Consent dashboard"),
        "form": form,
        "outcomes": dashboard.OUTCOMES,
        "overall": [(name, overall.counts.get(key, 0), 100 * overall.rate(key)) for key, name in dashboard.OUTCOMES],
        "total": overall.total,
        "period_start": filters.first_week,
        "period_end": filters.last_week + datetime.timedelta(days=6),
        "sections": sections,
        "csv_query": _csv_query(request),
        "retention_days": settings.CONSENT_RETENTION_DAYS,
        "retention": RetentionSchedule.objects.filter(pk=1).first(),
    }
    return TemplateResponse(request, "admin/cookies/consentrecord/dashboard.html", context)


def _csv_query(request) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


def csv_response(result: dashboard.Report, language: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="consent-rates-{stamp}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    outcomes = [key for key, _name in dashboard.OUTCOMES]
    writer.writerow(["dimension", "key", "total", *outcomes, *(f"{o}_rate" for o in outcomes)])
    for name, _title in dashboard.DIMENSIONS:
        for row in result.by[name]:
            # Keys are codes (dates, ISO codes, source names): never a formula.
            writer.writerow(
                [
                    name,
                    row.key,
                    row.total,
                    *(row.counts.get(o, 0) for o in outcomes),
                    *(f"{row.rate(o):.4f}" for o in outcomes),
                ]
            )
    return response
