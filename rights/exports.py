"""What this site holds for a verified address, as JSON, for access and portability requests.

Each app answers for its own data through core.signals.personal_data_export (subscriptions:
the subscription and the notices sent; cookies: the requesting browser's consent records);
this app adds the earlier requests. The DPO reviews and sends it.
"""

from django.utils import timezone

from core.signals import personal_data_export

from .models import PrivacyRequest

FORMAT = "privacy-site-export/1"


def _earlier_requests(request: PrivacyRequest) -> list[dict]:
    earlier = PrivacyRequest.objects.for_address(request.email_key).verified().exclude(pk=request.pk)
    return [
        {
            "reference": r.reference,
            "type": r.request_type,
            "jurisdiction": r.jurisdiction,
            "located_jurisdiction": r.located_jurisdiction,
            "received_at": r.received_at.isoformat(),
            "verified_at": r.verified_at.isoformat() if r.verified_at else None,
            "status": r.status,
            "due_date": r.due_date.isoformat() if r.due_date else None,
            "closed_at": r.closed_at.isoformat() if r.closed_at else None,
        }
        for r in earlier.order_by("received_at")
    ]


def build(request: PrivacyRequest) -> dict:
    data = {
        "format": FORMAT,
        "generated_at": timezone.now().isoformat(),
        "email": request.email,
        "request": request.reference,
        "subscriptions": [],
        "consent_records": [],
        "consent_id": request.consent_id or None,
        "earlier_requests": _earlier_requests(request),
    }
    for _receiver, response in personal_data_export.send(
        sender=PrivacyRequest, email=request.email, consent_id=request.consent_id
    ):
        if isinstance(response, dict):
            data.update(response)
    return data
