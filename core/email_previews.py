"""Every email the site sends, previewable by staff: a registry each app adds its emails to.

An app registers each kind of email once, from its AppConfig.ready():

    from core.email_previews import register
    register("subscriptions.confirmation", _("Subscription confirmation"), build)

`build(language, sample)` returns the email (an EmailMessage, usually EmailMultiAlternatives)
exactly as it would be sent, built from sample data: it must write nothing. `samples()`,
when given, lists the choices of sample data as (value, label) pairs, e.g. the versions a
change notice can announce; `sample` is one of those values, or None for the first. The
admin page (core.admin_previews) renders each email in every language, as HTML and as
plain text, with its subject, sender and headers. core knows no app: apps call in.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage


@dataclass(frozen=True)
class EmailKind:
    key: str
    label: str  # usually a lazy translation
    build: Callable[[str, str | None], EmailMessage]
    samples: Callable[[], list[tuple[str, str]]] | None = None
    order: int = 100


_kinds: dict[str, EmailKind] = {}


def register(key: str, label, build, *, samples=None, order: int = 100) -> None:
    """Add (or replace, so a reloaded app config does no harm) one kind of email."""
    _kinds[key] = EmailKind(key=key, label=label, build=build, samples=samples, order=order)


def kinds() -> list[EmailKind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.key))


def kind(key: str) -> EmailKind | None:
    return _kinds.get(key)


@dataclass(frozen=True)
class Rendered:
    subject: str
    from_email: str
    to: list[str]
    headers: list[tuple[str, str]]
    text: str
    html: str | None


def render(message: EmailMessage) -> Rendered:
    """What a reader's mail program shows: the headers that matter, the text and the HTML parts."""
    alternatives = getattr(message, "alternatives", [])
    html = next((content for content, mimetype in alternatives if mimetype == "text/html"), None)
    if html is None and message.content_subtype == "html":
        html, text = message.body, ""
    else:
        text = message.body
    return Rendered(
        subject=message.subject,
        from_email=message.from_email,
        to=list(message.to),
        headers=sorted(message.extra_headers.items()),
        text=text,
        html=html,
    )
