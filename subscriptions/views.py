"""Subscribe, confirm and unsubscribe pages.

Unlike the policy pages these carry forms and tokens, so they are never cached publicly.
"""

from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from . import ratelimit, services, tokens
from .forms import SubscribeForm


def _link_problem(request, *, expired: bool, kind: str = "confirm"):
    # 410 for a genuine link that is too old or used up, 400 for anything forged, garbled or truncated.
    context = {"expired": expired, "kind": kind}
    return render(request, "subscriptions/link_problem.html", context, status=410 if expired else 400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method == "POST":
        # One transaction for the limits and the write: an attempt the database could not
        # take (read-only, locked, gone: a 503) is not counted against the visitor.
        with transaction.atomic():
            client = ratelimit.client_ip(request)
            if not ratelimit.allow(kind="client", value=client, limit=settings.SUBSCRIPTIONS_RATE_PER_CLIENT):
                return render(request, "subscriptions/rate_limited.html", status=429)
            form = SubscribeForm(request.POST)
            if form.is_valid():
                services.subscription_request(email=form.cleaned_data["email"], language=form.cleaned_data["language"])
                return redirect("subscriptions:subscribe_sent")
    else:
        form = SubscribeForm(initial={"language": get_language()})
    return render(request, "subscriptions/subscribe.html", {"form": form})


@never_cache
@require_safe
def subscribe_sent(request):
    return render(request, "subscriptions/subscribe_sent.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe_confirm(request, token):
    try:
        link = services.confirm_link_find(token=token)
    except tokens.TokenExpired:
        return _link_problem(request, expired=True)
    except tokens.TokenInvalid:
        return _link_problem(request, expired=False)
    if link.subscriber is not None:  # followed already: pressing again changes nothing
        return render(request, "subscriptions/confirmed.html", {"subscriber": link.subscriber})
    # GET only shows a button: mail scanners follow links, and must not subscribe anyone.
    if request.method != "POST":
        return render(request, "subscriptions/confirm.html", {"confirm": link.pending})
    try:
        subscriber = services.subscription_confirm(pending=link.pending)
    except tokens.TokenExpired:
        return _link_problem(request, expired=True)
    return render(request, "subscriptions/confirmed.html", {"subscriber": subscriber})


# RFC 8058: mail clients POST with no cookie, session or CSRF token; the link's token authenticates.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        if request.method != "POST":
            services.unsubscribe_link_check(token=token)
            return render(request, "subscriptions/unsubscribe.html")
        services.unsubscribe_by_link(token=token)
    except tokens.TokenExpired:
        return _link_problem(request, expired=True, kind="unsubscribe")
    except tokens.TokenInvalid:
        return _link_problem(request, expired=False, kind="unsubscribe")
    return render(request, "subscriptions/unsubscribed.html")
