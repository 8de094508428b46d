"""The two emails we send, each in its reader's language: the change notice and the confirmation."""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from notices.models import PolicyVersion

from . import tokens
from .models import Campaign, Delivery


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def redline_path(*, older: datetime.date, newer: datetime.date) -> str:
    """Path of the redline between two versions, in the active language."""
    # notices:version_diff is being added on main; until then, build its documented shape
    # (/<lang>/privacy/versions/<a>/diff/<b>/) from the version page. One line to switch.
    return reverse("notices:version_detail", kwargs={"effective_date": older}) + f"diff/{newer.isoformat()}/"


def previous_version(version: PolicyVersion) -> PolicyVersion | None:
    """The published version with text that the new one replaces, if any."""
    return (
        PolicyVersion.objects.published()
        .with_text()
        .filter(effective_date__lt=version.effective_date)
        .order_by("-effective_date")
        .first()
    )


class NoticeComposer:
    """Build every subscriber's change notice for one campaign.

    What depends only on the language (subject, summary, links to the text) is computed once
    per language and reused; per message only the address and the unsubscribe link change.
    """

    def __init__(self, campaign: Campaign):
        self.version = campaign.version
        self.previous = previous_version(self.version)
        self._by_language: dict[str, dict] = {}

    def _language_context(self, language: str) -> dict:
        if language not in self._by_language:
            version = self.version
            with translation.override(language):
                suffix = language.replace("-", "_")
                summary = version.summary  # modeltranslation falls back to English
                self._by_language[language] = {
                    "language": language,
                    "subject": _("Our Privacy Policy is changing on %(date)s")
                    % {"date": formats.date_format(version.effective_date, "DATE_FORMAT")},
                    "site_name": str(settings.NOTICES_SITE_NAME),
                    "summary": summary,
                    "summary_in_english": language != "en"
                    and bool(summary)
                    and not getattr(version, f"summary_{suffix}", ""),
                    "effective_date": version.effective_date,
                    "policy_url": absolute(version.get_absolute_url()),
                    "redline_url": absolute(
                        redline_path(older=self.previous.effective_date, newer=version.effective_date)
                    )
                    if self.previous
                    else "",
                    "history_url": absolute(reverse("notices:version_list")),
                }
        return self._by_language[language]

    def message(self, delivery: Delivery) -> EmailMultiAlternatives:
        subscriber = delivery.subscriber
        language = subscriber.language if subscriber.language in dict(settings.LANGUAGES) else "en"
        base = self._language_context(language)
        with translation.override(language):
            unsubscribe_url = absolute(
                reverse(
                    "notices:unsubscribe",
                    kwargs={"token": tokens.unsubscribe_token(subscriber_id=subscriber.pk)},
                )
            )
            context = {**base, "unsubscribe_url": unsubscribe_url}
            text = render_to_string("emails/change_notice.txt", context)
            html = render_to_string("emails/change_notice.html", context)
        message = EmailMultiAlternatives(
            subject=base["subject"],
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[subscriber.email],
            headers={
                # Fixed per (campaign, subscriber): a message re-sent after a crash carries the
                # same id, so relays and mailboxes that deduplicate on it show it once.
                "Message-ID": delivery.message_id,
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",  # RFC 8058
                "Auto-Submitted": "auto-generated",
                "Content-Language": language,
            },
        )
        message.attach_alternative(html, "text/html")
        return message


def confirmation_message(*, email: str, language: str) -> EmailMultiAlternatives:
    """The double opt-in email: one signed link that confirms (or updates) the subscription."""
    with translation.override(language):
        token = tokens.confirm_token(email=email, language=language)
        context = {
            "language": language,
            "site_name": str(settings.NOTICES_SITE_NAME),
            "confirm_url": absolute(reverse("notices:subscribe_confirm", kwargs={"token": token})),
            "valid_hours": settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE // 3600,
            "policy_url": absolute(reverse("notices:policy")),
        }
        subject = _("Confirm your subscription to Privacy Policy change notices")
        text = render_to_string("emails/subscribe_confirm.txt", context)
        html = render_to_string("emails/subscribe_confirm.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message
