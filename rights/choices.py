"""The request types and the jurisdictions a request can be made under."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.TextChoices):
    ACCESS = "access", _("Access to my data (a copy)")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")
    PORTABILITY = "portability", _("Portability")
    OBJECTION = "objection", _("Objection or restriction")
    WITHDRAW_CONSENT = "withdraw-consent", _("Withdrawal of consent")
    OPT_OUT = "opt-out", _("Opt-out of sale or sharing")
    OVERSEAS = "overseas-transfer", _("Refusal of overseas transfer (South Korea)")
    COMPLAINT = "complaint", _("A complaint")


class Law(models.TextChoices):
    """Where the requester's law comes from; "other" is everywhere without an addendum."""

    EEA_UK = "eea-uk", _("EEA and UK")
    US_CA = "us-ca", _("California")
    KR = "kr", _("South Korea")
    AU = "au", _("Australia")
    PH = "ph", _("The Philippines")
    OTHER = "other", _("Elsewhere")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received, awaiting email confirmation")
    VERIFIED = "verified", _("Verified")
    IN_PROGRESS = "in-progress", _("In progress")
    EXTENDED = "extended", _("Extended")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = (Status.VERIFIED, Status.IN_PROGRESS, Status.EXTENDED)
CLOSED_STATUSES = (Status.COMPLETED, Status.REFUSED)
# What a privacy officer may move a request to from each status; received → verified is
# the requester's own step (the email link), never the admin's.
NEXT_STATUSES = {
    Status.RECEIVED: (),
    Status.VERIFIED: (Status.IN_PROGRESS, Status.COMPLETED, Status.REFUSED),
    Status.IN_PROGRESS: (Status.COMPLETED, Status.REFUSED),
    Status.EXTENDED: (Status.IN_PROGRESS, Status.COMPLETED, Status.REFUSED),
    Status.COMPLETED: (),
    Status.REFUSED: (),
}
# Types answered with a JSON export of what this site holds for the address.
EXPORT_TYPES = (RequestType.ACCESS, RequestType.PORTABILITY)


class Unit(models.TextChoices):
    CALENDAR_DAYS = "calendar-days", _("calendar days")
    BUSINESS_DAYS = "business-days", _("business days")
    MONTHS = "months", _("months")
