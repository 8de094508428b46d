"""The request form, the verification button and the requester's status page.

They carry forms and tokens, so they are never cached (never_cache: no-store).
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from core.visitor import visitor_for

from . import selectors, services, tokens
from .choices import RequestType, Status
from .forms import RequestForm
from .models import PrivacyRequest


def _link_problem(request, *, expired: bool = False, used: bool = False):
    # 410 for a genuine link that is too old or already used, 400 for anything forged or garbled.
    status = 410 if (expired or used) else 400
    return render(request, "rights/link_problem.html", {"expired": expired, "used": used}, status=status)


def _client(request) -> str:
    address = visitor_for(request).address
    return str(address) if address is not None else request.META.get("REMOTE_ADDR", "")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request):
    visitor = visitor_for(request)
    if request.method == "POST":
        if not services.rate_allow(kind="client", value=_client(request), limit=settings.REQUESTS_RATE_PER_CLIENT):
            return render(request, "rights/rate_limited.html", status=429)
        form = RequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            # Not when an agent files it: the browser is the agent's, and so are its consent records.
            consent = None if data["agent_email"] else visitor.consent
            services.request_submit(
                request_type=data["request_type"],
                jurisdiction=data["jurisdiction"],
                # Where the visitor is, from the server; the form only says where they live.
                located_jurisdiction=selectors.law_at(visitor.location),
                name=data["name"],
                email=data["email"],
                details=data["details"],
                language=data["language"],
                agent_name=data["agent_name"],
                agent_email=data["agent_email"],
                network=visitor.network,
                # From the signed consent cookie, read here; never a posted field.
                consent_id=(getattr(consent, "consent_id", None) or "") if consent is not None else "",
            )
            return redirect("rights:sent")
    else:
        kind = request.GET.get("type", "")
        form = RequestForm(
            initial={
                "language": get_language(),
                "jurisdiction": selectors.law_at(visitor.location),
                "request_type": kind if kind in RequestType.values else RequestType.ACCESS,
            }
        )
    return render(request, "rights/request_form.html", {"form": form})


@never_cache
@require_safe
def request_sent(request):
    return render(request, "rights/sent.html", {"valid_hours": settings.REQUESTS_VERIFY_MAX_AGE // 3600})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_confirm(request, token):
    try:
        pending = services.request_for_token(token)
    except tokens.TokenExpired:
        return _link_problem(request, expired=True)
    except tokens.TokenInvalid:
        return _link_problem(request)
    if pending.status != Status.RECEIVED:
        return _link_problem(request, used=True)
    # GET only shows a button: mail scanners follow links and must not verify anything.
    if request.method != "POST":
        return render(request, "rights/confirm.html", {"pending": pending})
    verified = services.request_verify(request=pending)
    return redirect(verified.get_absolute_url())


@never_cache
@require_safe
def request_status(request, token):
    try:
        reference = tokens.status_read(token)
    except tokens.TokenInvalid:
        return _link_problem(request)
    found = PrivacyRequest.objects.filter(reference=reference).exclude(status=Status.RECEIVED).first()
    if found is None:
        # Pruned after its retention period, or never verified.
        return render(request, "rights/status_gone.html", status=404)
    return render(
        request,
        "rights/status.html",
        {
            "req": found,
            "replies": found.replies.all(),
            "is_deletion": found.request_type == RequestType.DELETION,
            "legal_time_zone": settings.NOTICES_LEGAL_TIME_ZONE,
        },
    )
