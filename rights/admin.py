"""The DPO's queue: requests, their deadlines, history, notes and replies; the deadline table.

Shown only to members of the "Privacy officers" group (superusers too must join it): the
requests hold names, addresses and what people asked about themselves.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryInline

from . import csv_export, deadlines, emails, services
from .choices import NEXT_STATUSES, RequestType
from .models import DeadlineRule, Note, PrivacyRequest, Reply, Transition

OFFICERS = "Privacy officers"


def is_officer(user) -> bool:
    return user.is_active and user.is_staff and user.groups.filter(name=OFFICERS).exists()


class OfficersOnly:
    def has_module_permission(self, request):
        return is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_officer(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_officer(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_officer(request.user) and super().has_delete_permission(request, obj)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(OfficersOnly, admin.ModelAdmin):
    list_display = (
        "jurisdiction",
        "request_type",
        "acknowledge_within",
        "acknowledge_unit",
        "respond_within",
        "respond_unit",
        "extension",
        "extension_unit",
        "legal_basis",
    )
    list_filter = ("jurisdiction",)


class DueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("soon", _("Due within 3 days"))]

    def queryset(self, request, queryset):
        today = deadlines.legal_date(timezone.now())
        if self.value() == "overdue":
            return queryset.overdue(today=today)
        if self.value() == "soon":
            return queryset.due_within(today=today, days=3)
        return queryset


class ReadOnlyInline(HistoryInline):
    def has_view_permission(self, request, obj=None):
        return is_officer(request.user)


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = readonly_fields = ("at", "from_status", "to_status", "by", "comment")
    verbose_name_plural = _("history (append-only)")


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = readonly_fields = ("sent_at", "author", "language", "subject", "body")


class NoteInline(admin.TabularInline):
    """New notes can be added; none can be edited or removed."""

    model = Note
    extra = 1
    can_delete = False
    fields = ("text", "author", "created_at")
    readonly_fields = ("author", "created_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return is_officer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_officer(request.user)


class RequestAdminForm(forms.ModelForm):
    class Meta:
        model = PrivacyRequest
        fields = ("assignee",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = get_user_model().objects.filter(
                is_active=True, is_staff=True, groups__name=OFFICERS
            )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    comment = forms.CharField(label=_("Comment (internal)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s.value, s.label) for s in allowed]


class ExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (emailed to the requester)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ReplyForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}), max_length=20000)
    with_export = forms.BooleanField(label=_("Attach the JSON export of what this site holds"), required=False)

    def __init__(self, *args, has_export=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_export:
            del self.fields["with_export"]

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if any(ord(c) < 32 for c in subject):  # a header value: no line breaks
            raise forms.ValidationError(_("A subject is one line."))
        return subject


def reply_initial(obj: PrivacyRequest) -> dict:
    """A start for the reply, in the requester's language: for a deletion, what was erased and kept."""
    with translation.override(obj.language):
        initial = {"subject": _("Your privacy request %(reference)s") % {"reference": obj.reference}}
        if obj.request_type == RequestType.DELETION:
            initial["body"] = emails.erasure_sentence(obj)
    return initial


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(OfficersOnly, admin.ModelAdmin):
    form = RequestAdminForm
    list_display = (
        "reference",
        "request_type",
        "jurisdiction",
        "received_at",
        "verified_at",
        "due_date",
        "deadline_state",
        "status",
        "assignee",
    )
    list_filter = (DueFilter, "status", "request_type", "jurisdiction", "assignee")
    search_fields = ("reference", "email_key")
    date_hierarchy = "received_at"
    list_select_related = ("assignee",)
    inlines = [TransitionInline, ReplyInline, NoteInline]
    actions = ["export_csv"]
    show_full_result_count = False
    readonly_fields = (
        "reference",
        "request_type",
        "jurisdiction",
        "located_jurisdiction",
        "name",
        "email",
        "language",
        "details",
        "agent_name",
        "agent_email",
        "status",
        "received_at",
        "verified_at",
        "acknowledged_at",
        "acknowledge_by",
        "due_date",
        "rule_summary",
        "extended_at",
        "extension_reason",
        "closed_at",
        "network",
        "consent_id",
        "export_link",
        "erasure",
        "actions_links",
    )
    fieldsets = (
        (None, {"fields": ("reference", "status", "actions_links", "assignee")}),
        (
            _("Request"),
            {
                "fields": (
                    "request_type",
                    "jurisdiction",
                    "located_jurisdiction",
                    "name",
                    "email",
                    "language",
                    "details",
                )
            },
        ),
        (_("Authorised agent"), {"fields": ("agent_name", "agent_email")}),
        (
            _("Deadlines"),
            {
                "fields": (
                    "received_at",
                    "verified_at",
                    "acknowledged_at",
                    "acknowledge_by",
                    "due_date",
                    "rule_summary",
                    "extended_at",
                    "extension_reason",
                    "closed_at",
                )
            },
        ),
        (_("What this site holds"), {"fields": ("export_link", "erasure", "network", "consent_id")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).verified()

    def has_add_permission(self, request, *args):
        return False  # requests come from the form, verified by their owner

    def has_delete_permission(self, request, obj=None):
        return False  # closed requests are pruned by prune_requests after the retention period

    @admin.display(description=_("deadline"))
    def deadline_state(self, obj):
        if not obj.is_open or obj.due_date is None:
            return "—"
        today = deadlines.legal_date(timezone.now())
        if obj.due_date < today:
            return format_html('<strong class="overdue">{}</strong>', _("Overdue"))
        if obj.due_date <= today + datetime.timedelta(days=3):
            return _("Due soon")
        return ""

    @admin.display(description=_("export"))
    def export_link(self, obj):
        if obj.export is None:
            return "—"
        url = reverse("admin:rights_privacyrequest_export", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the JSON export"))

    @admin.display(description=_("actions"))
    def actions_links(self, obj):
        links = []
        if NEXT_STATUSES.get(obj.status):
            links.append((reverse("admin:rights_privacyrequest_transition", args=[obj.pk]), _("Change status")))
        if obj.can_extend:
            links.append((reverse("admin:rights_privacyrequest_extend", args=[obj.pk]), _("Extend the deadline")))
        links.append((reverse("admin:rights_privacyrequest_reply", args=[obj.pk]), _("Reply to the requester")))
        return format_html(" · ".join(['<a href="{}">{}</a>'] * len(links)), *[x for pair in links for x in pair])

    def save_model(self, request, obj, form, change):
        if "assignee" in form.changed_data:
            services.request_assign(request=obj, assignee=form.cleaned_data["assignee"], user=request.user)

    def save_formset(self, request, form, formset, change):
        # History and replies are read-only here; only new notes are written, by the service.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not Note:
            return
        for note_form in formset.forms:
            text = (note_form.cleaned_data.get("text") or "").strip() if note_form.has_changed() else ""
            if text and not note_form.instance.pk:
                formset.new_objects.append(services.note_add(request=form.instance, text=text, user=request.user))

    def get_urls(self):
        own = [
            path(
                "<int:pk>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="rights_privacyrequest_transition",
            ),
            path("<int:pk>/extend/", self.admin_site.admin_view(self.extend_view), name="rights_privacyrequest_extend"),
            path("<int:pk>/reply/", self.admin_site.admin_view(self.reply_view), name="rights_privacyrequest_reply"),
            path(
                "<int:pk>/export.json",
                self.admin_site.admin_view(self.export_view),
                name="rights_privacyrequest_export",
            ),
        ]
        return own + super().get_urls()

    def _page(self, request, obj, form, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "form": form,
            "title": title,
        }
        return TemplateResponse(request, "admin/rights/request_action.html", context)

    def _back(self, obj):
        return HttpResponseRedirect(reverse("admin:rights_privacyrequest_change", args=[obj.pk]))

    def _guard(self, request, pk):
        # Refuse before looking the number up: a 404 for a made-up number and a 403 for a
        # real one would tell any staff member which requests exist.
        if not self.has_change_permission(request):
            return None
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        return obj if self.has_change_permission(request, obj) else None

    def transition_view(self, request, pk):
        obj = self._guard(request, pk)
        if obj is None:
            return self._denied()
        allowed = NEXT_STATUSES.get(obj.status, ())
        form = TransitionForm(request.POST or None, allowed=allowed)
        if request.method == "POST" and form.is_valid():
            try:
                services.request_transition(
                    request=obj,
                    to_status=form.cleaned_data["to_status"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except services.TransitionRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            return self._back(obj)
        return self._page(request, obj, form, _("Change the status of %(ref)s") % {"ref": obj.reference})

    def extend_view(self, request, pk):
        obj = self._guard(request, pk)
        if obj is None:
            return self._denied()
        form = ExtendForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.request_extend(request=obj, reason=form.cleaned_data["reason"], user=request.user)
                self.message_user(request, _("Extended; the requester is emailed the reason and the new date."))
            except services.TransitionRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            return self._back(obj)
        return self._page(request, obj, form, _("Extend the deadline of %(ref)s") % {"ref": obj.reference})

    def reply_view(self, request, pk):
        obj = self._guard(request, pk)
        if obj is None:
            return self._denied()
        form = ReplyForm(request.POST or None, has_export=obj.export is not None, initial=reply_initial(obj))
        if request.method == "POST" and form.is_valid():
            services.reply_send(
                request=obj,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                user=request.user,
                with_export=form.cleaned_data.get("with_export", False),
            )
            self.message_user(request, _("The reply is on its way, and shown on the requester's status page."))
            return self._back(obj)
        return self._page(request, obj, form, _("Reply to %(ref)s") % {"ref": obj.reference})

    def export_view(self, request, pk):
        if not self.has_view_permission(request):
            return self._denied()  # before the lookup, as in _guard
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, obj) or obj.export is None:
            return self._denied()
        response = StreamingHttpResponse(csv_export.json_chunks(obj.export), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{obj.reference}.json"'
        return response

    def _denied(self):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied

    @admin.action(description=_("Export the selected requests as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(csv_export.rows(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="privacy-requests.csv"'
        return response
