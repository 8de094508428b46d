"""Every email about a request, each in its reader's language, plain text and HTML.

They share one layout (templates/emails/rights_message.*): paragraphs, a few facts, one
button. Links are absolute from SITE_URL and carry no personal data (rights.tokens).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import RequestType
from .csv_export import json_chunks
from .deadlines import legal_date
from .models import PrivacyRequest, Reply


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "—"


def _message(*, to: str, language: str, subject: str, paragraphs, facts=(), action=None, after=()):
    context = {
        "language": language,
        "subject": subject,
        "site_name": str(settings.NOTICES_SITE_NAME),
        "paragraphs": [str(p) for p in paragraphs],
        "facts": [(str(label), str(value)) for label, value in facts],
        "action_label": str(action[0]) if action else "",
        "action_url": action[1] if action else "",
        "after": [str(p) for p in after],
        "policy_url": absolute(reverse("notices:policy")),
    }
    text = render_to_string("emails/rights_message.txt", context)
    html = render_to_string("emails/rights_message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def _facts(request: PrivacyRequest) -> list:
    facts = [
        (_("Reference"), request.reference),
        (_("Request"), request.get_request_type_display()),
        (_("Received"), _date(legal_date(request.received_at))),
    ]
    if request.due_date:
        facts.append((_("We will respond by"), _date(request.due_date)))
    return facts


def verification_message(*, request: PrivacyRequest, token: str) -> EmailMultiAlternatives:
    """To the data subject's own mailbox: confirm the request (made by them or their agent)."""
    language = _language(request.language)
    with translation.override(language):
        hours = settings.REQUESTS_VERIFY_MAX_AGE // 3600
        intro = (
            _("%(agent)s, acting as your authorised agent, asked us to handle a privacy request about you.")
            % {"agent": request.agent_name}
            if request.by_agent
            else _("Someone, hopefully you, asked us to handle a privacy request about this email address.")
        )
        return _message(
            to=request.email,
            language=language,
            subject=_("Confirm your privacy request"),
            paragraphs=[
                intro,
                ngettext(
                    "To confirm it, open this link within %(hours)d hour and press the button on the page.",
                    "To confirm it, open this link within %(hours)d hours and press the button on the page.",
                    hours,
                )
                % {"hours": hours},
            ],
            facts=[(_("Request"), request.get_request_type_display())],
            action=(_("Confirm the request"), absolute(reverse("rights:verify", kwargs={"token": token}))),
            after=[
                _("If it was not you, ignore this email: an unconfirmed request is deleted without being acted upon.")
            ],
        )


def agent_message(*, request: PrivacyRequest) -> EmailMultiAlternatives:
    """To an authorised agent: the consumer must confirm from their own mailbox."""
    language = _language(request.language)
    with translation.override(language):
        return _message(
            to=request.agent_email,
            language=language,
            subject=_("Your privacy request on behalf of a consumer"),
            paragraphs=[
                _(
                    "We received your request as an authorised agent. We have emailed the consumer "
                    "a link to confirm it: the request counts from the moment they confirm it from "
                    "their own mailbox."
                ),
                _("We may also ask you for written proof of your authorisation."),
            ],
            facts=[(_("Request"), request.get_request_type_display())],
        )


def acknowledgement_message(*, request: PrivacyRequest) -> EmailMultiAlternatives:
    """After verification: what we received, by when we answer, and the status page."""
    language = _language(request.language)
    with translation.override(language):
        paragraphs = [_("We have received and verified your privacy request. We will respond by the date below.")]
        if request.request_type == RequestType.DELETION:
            paragraphs.append(erasure_sentence(request))
        return _message(
            to=request.email,
            language=language,
            subject=_("We received your privacy request %(reference)s") % {"reference": request.reference},
            paragraphs=paragraphs,
            facts=_facts(request),
            action=(_("Follow your request"), absolute(request.get_absolute_url())),
        )


def erasure_sentence(request: PrivacyRequest) -> str:
    erased = bool((request.erasure or {}).get("subscriptions"))
    first = (
        _("Your subscription to change notices has been erased.")
        if erased
        else _("This site held no subscription to change notices for your address.")
    )
    return "%s %s" % (  # noqa: UP031  (two translated sentences)
        first,
        _(
            "Records of cookie choices made in your browser are kept as the legal proof of "
            "consent the law requires of us; they hold no name or email address."
        ),
    )


def extension_message(*, request: PrivacyRequest) -> EmailMultiAlternatives:
    language = _language(request.language)
    with translation.override(language):
        return _message(
            to=request.email,
            language=language,
            subject=_("More time is needed for your privacy request %(reference)s") % {"reference": request.reference},
            paragraphs=[
                _("We need more time to answer your request, as the law allows. The reason:"),
                request.extension_reason,
            ],
            facts=_facts(request),
            action=(_("Follow your request"), absolute(request.get_absolute_url())),
        )


def reply_message(*, reply: Reply) -> EmailMultiAlternatives:
    request = reply.request
    language = _language(reply.language)
    with translation.override(language):
        message = _message(
            to=request.email,
            language=language,
            subject=reply.subject,
            paragraphs=[reply.body],
            facts=[(_("Reference"), request.reference), (_("Status"), request.get_status_display())],
            action=(_("Follow your request"), absolute(request.get_absolute_url())),
        )
    if reply.with_export and request.export is not None:
        data = "".join(json_chunks(request.export)).encode()
        message.attach(f"{request.reference}.json", data, "application/json")
    return message


def digest_message(*, user, overdue, due_soon) -> EmailMultiAlternatives:
    """To one assignee: their overdue requests and those due soon, with admin links."""
    language = _language(getattr(user, "language", "") or settings.LANGUAGE_CODE)
    with translation.override(language):

        def line(request):
            url = absolute(reverse("admin:rights_privacyrequest_change", args=[request.pk]))
            return f"{request.reference} · {request.get_request_type_display()} · {_date(request.due_date)} · {url}"

        paragraphs = []
        if overdue:
            paragraphs.append(_("Overdue:") + "\n" + "\n".join(line(r) for r in overdue))
        if due_soon:
            paragraphs.append(
                ngettext("Due within %(days)d day:", "Due within %(days)d days:", settings.REQUESTS_DUE_SOON_DAYS)
                % {"days": settings.REQUESTS_DUE_SOON_DAYS}
                + "\n"
                + "\n".join(line(r) for r in due_soon)
            )
        return _message(
            to=user.email,
            language=language,
            subject=_("Privacy requests: %(overdue)d overdue, %(soon)d due soon")
            % {"overdue": len(overdue), "soon": len(due_soon)},
            paragraphs=paragraphs,
            action=(_("Open the queue"), absolute(reverse("admin:rights_privacyrequest_changelist"))),
        )
