"""The organisation that publishes the policy and signs every email, as the reader's language shows it.

Read through the one cache (core.cache.cached, per language); saving the row retires it with
every cached page (CoreConfig.ready), since each page's footer names it.
"""

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .cache import cached

# The policy's own words (2025-09-02, Section H, "In all other cases"); the data migration
# loads the same values, and they stand in if the row is ever missing.
LAUNCH = {
    "name": "Alibaba Cloud (Singapore) Private Limited",
    "short_name": "Alibaba Cloud",
    "postal_address": "51 Bras Basah Road, #03-06 Lazada One\nSingapore 189554",
    "dpo_name": "Data Protection Officer",
    "dpo_email": "DPO_Intl@alibabacloud.com",
}


@dataclass(frozen=True)
class OrganisationInfo:
    name: str
    short_name: str
    postal_address: str
    dpo_name: str
    dpo_email: str

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.postal_address.splitlines() if line.strip()]

    @property
    def address_one_line(self) -> str:
        return ", ".join(self.address_lines)


def _language() -> str:
    # Only known codes reach a cache key.
    current = translation.get_language() or settings.LANGUAGE_CODE
    codes = dict(settings.LANGUAGES)
    return current if current in codes else settings.LANGUAGE_CODE


def _build() -> OrganisationInfo:
    from .models import Organisation

    row = Organisation.objects.filter(pk=1).first()
    if row is None:
        return OrganisationInfo(**LAUNCH)
    # modeltranslation's descriptors give the active language's value, else English.
    return OrganisationInfo(**{field: getattr(row, field) or LAUNCH[field] for field in LAUNCH})


def organisation(language: str | None = None) -> OrganisationInfo:
    """The organisation in `language` (default: the active one)."""
    if language is not None:
        with translation.override(language):
            return organisation()
    code = _language()
    return cached(("organisation", code), _build)


def sender_address() -> str:
    """The address part of DEFAULT_FROM_EMAIL (also the Message-ID's domain)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def sender(language: str | None = None) -> str:
    """The From header: the organisation's name in the reader's language, at DEFAULT_FROM_EMAIL's address."""
    with translation.override(language or _language()):
        display = _("%(organisation)s Privacy Office") % {"organisation": organisation().short_name}
    local, _at, domain = sender_address().rpartition("@")
    # Address() quotes what needs quoting (a name with a comma or parentheses).
    return str(Address(display_name=display, username=local, domain=domain))


def subject(text: str, language: str | None = None) -> str:
    """An email subject that names the organisation first, in the reader's language."""
    with translation.override(language or _language()):
        return _("%(organisation)s: %(subject)s") % {"organisation": organisation().short_name, "subject": text}


def email_context(language: str | None = None) -> dict:
    """What the shared email footer (templates/emails/_organisation.*) needs."""
    return {"organisation": organisation(language)}
