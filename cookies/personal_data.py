"""The requesting browser's consent records, for a verified privacy request's export.

Connected to core.signals in apps.py. Erasure asks nothing of this app: consent records are
kept as the legal proof of consent (they hold no name or address; see README).
"""

from .export import HEADER, row
from .models import ConsentRecord


def consent_records_export(sender, *, consent_id: str = "", **kwargs) -> dict:
    if not consent_id:
        return {"consent_records": []}
    records = ConsentRecord.objects.for_consent_id(consent_id).in_export_order()
    return {"consent_records": [dict(zip(HEADER, row(record), strict=True)) for record in records]}
