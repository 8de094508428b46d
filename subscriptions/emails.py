"""The two emails we send, each in its reader's language: the change notice and the confirmation."""

import datetime
import functools
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.organisation import email_context, sender
from core.organisation import subject as organisation_subject
from notices.models import PolicyVersion

from .models import Campaign, Delivery


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def redline_path(*, older: datetime.date, newer: datetime.date) -> str:
    """Path of the redline between two versions, in the active language."""
    return reverse("notices:version_diff", kwargs={"a": older, "b": newer})


def previous_version(version: PolicyVersion) -> PolicyVersion | None:
    """The published version with text that the new one replaces, if any."""
    return (
        PolicyVersion.objects.live()
        .with_text()
        .filter(effective_date__lt=version.effective_date)
        .order_by("-effective_date")
        .first()
    )


# Stand-ins rendered into each language's notice once; a message is that notice with the
# subscriber's values put in. Plain ASCII, so escaping and MIME encoding leave them intact.
PLACEHOLDER_URL = "https://placeholder.invalid/unsubscribe-0123456789"
PLACEHOLDER_TO = "recipient@placeholder.invalid"
PLACEHOLDER_ID = "<notice-placeholder@placeholder.invalid>"
TEMPLATE_LIFETIME = 60  # seconds: the Date header of a prepared notice stays this fresh


class PreparedMessage:
    """The serialised notice, offering what the mail backends call on a MIME message."""

    def __init__(self, raw: bytes):
        self.raw = raw  # CRLF line endings, as SMTP sends them

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return self.raw if linesep == "\r\n" else self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n"):
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def get_charset(self):
        return None


class PreparedNotice(EmailMultiAlternatives):
    """A change notice whose bytes were made from its language's prepared notice."""

    def __init__(self, *, raw: bytes, envelope_to: str, **kwargs):
        super().__init__(**kwargs)
        self.raw = raw
        self.envelope_to = envelope_to
        self.envelope_from = _envelope_from()

    def message(self):
        return PreparedMessage(self.raw)


@dataclass
class LanguageNotice:
    subject: str
    text: str
    html: str
    raw: bytes | None  # the whole MIME message with placeholders; None if substitution is unsafe
    unsubscribe_prefix: str
    built_at: float
    from_email: str


class NoticeComposer:
    """Build every subscriber's change notice for one campaign.

    Rendering two templates and serialising MIME costs more than the SMTP exchange itself, so
    each language's notice is rendered and serialised once (refreshed every minute for the
    Date header) with placeholders, and each message substitutes the address, Message-ID and
    unsubscribe link into those bytes. Where that would be unsafe (a non-ASCII link, a body
    that needed quoted-printable), the message is built the ordinary way instead.
    """

    def __init__(self, campaign: Campaign):
        self.version = campaign.version
        self.kind = campaign.kind
        self.previous = previous_version(self.version)
        self._by_language: dict[str, LanguageNotice] = {}

    @property
    def template(self) -> str:
        return "emails/correction" if self.kind == Campaign.Kind.CORRECTION else "emails/change_notice"

    def _context(self, language: str) -> dict:
        if self.kind == Campaign.Kind.CORRECTION:
            return self._correction_context(language)
        version = self.version
        suffix = language.replace("-", "_")
        summary = version.summary  # modeltranslation falls back to English
        return {
            "language": language,
            "subject": organisation_subject(
                _("Our Privacy Policy is changing on %(date)s")
                % {"date": formats.date_format(version.effective_date, "DATE_FORMAT")}
            ),
            "from_email": sender(language),
            **email_context(language),
            "site_name": str(settings.NOTICES_SITE_NAME),
            "summary": summary,
            "summary_in_english": language != "en" and bool(summary) and not getattr(version, f"summary_{suffix}", ""),
            "effective_date": version.effective_date,
            "policy_url": absolute(version.get_absolute_url()),
            "redline_url": absolute(redline_path(older=self.previous.effective_date, newer=version.effective_date))
            if self.previous
            else "",
            "history_url": absolute(reverse("notices:version_list")),
            "unsubscribe_url": PLACEHOLDER_URL,
        }

    def _correction_context(self, language: str) -> dict:
        version = self.version
        withdrawal = getattr(version, "withdrawal", None)
        return {
            "language": language,
            "subject": organisation_subject(
                _("Correction: our Privacy Policy will not change on %(date)s")
                % {"date": formats.date_format(version.effective_date, "DATE_FORMAT")}
            ),
            "from_email": sender(language),
            **email_context(language),
            "site_name": str(settings.NOTICES_SITE_NAME),
            "effective_date": version.effective_date,
            "reason": withdrawal.reason if withdrawal else "",
            "policy_url": absolute(reverse("notices:policy")),
            "withdrawn_url": absolute(version.get_absolute_url()),
            "history_url": absolute(reverse("notices:version_list")),
            "unsubscribe_url": PLACEHOLDER_URL,
        }

    def _notice(self, language: str) -> LanguageNotice:
        notice = self._by_language.get(language)
        if notice is not None and time.monotonic() - notice.built_at < TEMPLATE_LIFETIME:
            return notice
        with translation.override(language):
            context = self._context(language)
            text = render_to_string(f"{self.template}.txt", context)
            html = render_to_string(f"{self.template}.html", context)
            prefix = reverse("subscriptions:unsubscribe", kwargs={"token": "-"})[:-2]
        message = _assemble(
            context["subject"],
            text,
            html,
            PLACEHOLDER_TO,
            PLACEHOLDER_ID,
            PLACEHOLDER_URL,
            language,
            context["from_email"],
        )
        raw = message.message().as_bytes(linesep="\r\n")
        expected = {
            PLACEHOLDER_TO: 1,
            PLACEHOLDER_ID: 1,
            PLACEHOLDER_URL: 1 + text.count(PLACEHOLDER_URL) + html.count(PLACEHOLDER_URL),
        }
        if any(raw.count(value.encode()) != count for value, count in expected.items()):
            raw = None
        notice = LanguageNotice(
            context["subject"], text, html, raw, absolute(prefix), time.monotonic(), context["from_email"]
        )
        self._by_language[language] = notice
        return notice

    def message(self, delivery: Delivery, *, unsubscribe_token: str) -> EmailMultiAlternatives:
        """The delivery's message, with an unsubscribe link issued for it (links.unsubscribe_links_issue)."""
        subscriber = delivery.subscriber
        language = subscriber.language if subscriber.language in dict(settings.LANGUAGES) else "en"
        notice = self._notice(language)
        unsubscribe_url = f"{notice.unsubscribe_prefix}{unsubscribe_token}/"
        message_id = delivery.message_id
        text = notice.text.replace(PLACEHOLDER_URL, unsubscribe_url)
        html = notice.html.replace(PLACEHOLDER_URL, escape(unsubscribe_url))
        to_header = envelope_address(subscriber.email)
        if notice.raw is None or not unsubscribe_url.isascii() or escape(unsubscribe_url) != unsubscribe_url:
            return _assemble(
                notice.subject,
                text,
                html,
                subscriber.email,
                message_id,
                unsubscribe_url,
                language,
                notice.from_email,
            )
        raw = (
            notice.raw.replace(PLACEHOLDER_URL.encode(), unsubscribe_url.encode())
            .replace(PLACEHOLDER_TO.encode(), to_header.encode())
            .replace(PLACEHOLDER_ID.encode(), message_id.encode())
        )
        message = PreparedNotice(
            raw=raw,
            envelope_to=to_header,
            subject=notice.subject,
            body=text,
            from_email=notice.from_email,
            to=[subscriber.email],
            headers=_headers(message_id, unsubscribe_url, language),
        )
        message.attach_alternative(html, "text/html")
        return message


PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+")


def envelope_address(address: str) -> str:
    """The address as it goes into the To header and RCPT TO.

    sanitize_address refuses a line break or anything that is not one address (header
    injection) and encodes non-ASCII; a plain ASCII address comes out of it unchanged, and
    it is the costliest step of composing a notice, so those skip it.
    """
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


@functools.cache
def _envelope_from_for(address: str, charset: str) -> str:
    return sanitize_address(address, charset)


def _envelope_from() -> str:
    return _envelope_from_for(settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_CHARSET)


def _headers(message_id: str, unsubscribe_url: str, language: str) -> dict:
    return {
        # Fixed per (campaign, subscriber): a message re-sent after a crash carries the same
        # id, so relays and mailboxes that deduplicate on it show it once.
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
        "Auto-Submitted": "auto-generated",
        "Content-Language": language,
    }


def _assemble(subject, text, html, to, message_id, unsubscribe_url, language, from_email) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=[to],
        headers=_headers(message_id, unsubscribe_url, language),
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(*, email: str, language: str, token: str) -> EmailMultiAlternatives:
    """The double opt-in email: one link (an opaque token) that confirms or updates the subscription."""
    with translation.override(language):
        context = {
            "language": language,
            "site_name": str(settings.NOTICES_SITE_NAME),
            "confirm_url": absolute(reverse("subscriptions:subscribe_confirm", kwargs={"token": token})),
            "valid_hours": settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE // 3600,
            "policy_url": absolute(reverse("notices:policy")),
            **email_context(language),
        }
        subject = organisation_subject(_("Confirm your subscription to Privacy Policy change notices"))
        text = render_to_string("emails/subscribe_confirm.txt", context)
        html = render_to_string("emails/subscribe_confirm.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender(language),
        to=[email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message
