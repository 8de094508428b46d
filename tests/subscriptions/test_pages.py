"""Subscribe, confirm and unsubscribe (link and one-click), with good and bad input."""

import datetime
import re

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone, translation

from notices.models import PolicyVersion
from subscriptions import ratelimit, services
from subscriptions.links import unsubscribe_link_issue
from subscriptions.models import Campaign, Delivery, Subscriber
from tests.cookies.conftest import post_banner_choice
from tests.tasks import run_due_tasks

from .conftest import make_subscribers, pending_link

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _ in settings.LANGUAGES]


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST, commit, and let a worker run what the request queued (the confirmation email)."""

    def run(path, data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, data, **extra)
        run_due_tasks()
        return response

    return run


def confirm_link(message) -> str:
    return re.search(r"https?://\S+/subscribe/confirm/\S+/", message.body)[0]


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_subscribe_page_defaults_to_the_page_language_and_is_not_cached_publicly(client, lang):
    response = client.get(f"/{lang}/privacy/subscribe/")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == lang
    assert len(page.find_all("h1")) == 1
    assert page.select_one("select[name=language] option[selected]")["value"] == lang
    assert page.select_one("input[name=csrfmiddlewaretoken]")
    assert page.select_one("input[name=email]")["type"] == "email"
    cache_control = response.headers["Cache-Control"]
    assert "public" not in cache_control and "private" in cache_control and "no-store" in cache_control
    switcher = {a["hreflang"]: a["href"] for a in page.select("nav.languages a")}
    assert switcher == {code: f"/{code}/privacy/subscribe/" for code in LANGUAGES}


def test_every_page_links_to_the_subscribe_page(client, launch_content):
    page = soup(client.get("/ja/privacy/"))
    assert page.select_one('nav.site-nav a[href="/ja/privacy/subscribe/"]')


def test_subscribing_sends_a_confirmation_in_the_chosen_language_and_stores_nothing(post):
    response = post("/en/privacy/subscribe/", {"email": "Ada@Example.com", "language": "ko"})
    assert response.status_code == 302
    assert response["Location"] == "/en/privacy/subscribe/sent/"
    assert Subscriber.objects.count() == 0
    (message,) = mail.outbox
    assert message.to == ["Ada@Example.com"]
    assert message.subject == "Alibaba Cloud: 개인정보 처리방침 변경 알림 구독을 확인해 주십시오"
    link = confirm_link(message)
    assert link.startswith(f"{settings.SITE_URL}/ko/privacy/subscribe/confirm/")
    html = message.alternatives[0].content
    assert link in html and 'lang="ko"' in html


def test_the_answer_is_the_same_for_known_unknown_and_rate_limited_addresses(post, client):
    make_subscribers(1, prefix="known")
    answers = []
    for address in ["known0@example.com", "new@example.com"] + ["busy@example.com"] * 5:
        response = post("/en/privacy/subscribe/", {"email": address, "language": "en"})
        answers.append((response.status_code, response["Location"]))
    assert set(answers) == {(302, "/en/privacy/subscribe/sent/")}
    sent_to = [m.to[0] for m in mail.outbox]
    assert sent_to.count("busy@example.com") == settings.SUBSCRIPTIONS_RATE_PER_ADDRESS
    assert "known0@example.com" in sent_to and "new@example.com" in sent_to
    assert client.get("/en/privacy/subscribe/sent/").status_code == 200


def test_a_client_that_posts_too_often_gets_a_429_page(post, settings):
    settings.SUBSCRIPTIONS_RATE_PER_CLIENT = 3
    codes = [
        post("/en/privacy/subscribe/", {"email": f"a{i}@example.com", "language": "en"}).status_code for i in range(4)
    ]
    assert codes == [302, 302, 302, 429]
    response = post("/ko/privacy/subscribe/", {"email": "b@example.com", "language": "en"})
    assert response.status_code == 429
    assert "요청이 너무 많습니다" in response.content.decode()
    assert len(mail.outbox) == 3


def test_behind_trusted_proxies_the_client_is_the_nth_address_from_the_right(settings):
    factory = RequestFactory()

    def client(forwarded="6.6.6.6, 203.0.113.9, 10.0.0.2"):
        return ratelimit.client_ip(factory.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1"))

    settings.TRUSTED_PROXY_COUNT = 0
    assert client() == "10.0.0.1"  # X-Forwarded-For ignored
    settings.TRUSTED_PROXY_COUNT = 2
    assert client() == "203.0.113.9"  # not the spoofable left-most hop
    settings.TRUSTED_PROXY_COUNT = 4
    assert client() == "10.0.0.1"  # fewer hops than proxies: not via them
    settings.TRUSTED_PROXY_COUNT = 1
    assert client("nonsense, x") == "10.0.0.1"


def test_rate_limit_keys_hold_no_raw_address_or_ip(db):
    from core.models import RateCounter

    ratelimit.allow(kind="client", value="198.51.100.7", limit=5)
    ratelimit.allow(kind="address", value="ada@example.com", limit=5)
    keys = " ".join(RateCounter.objects.values_list("key", flat=True))
    assert RateCounter.objects.count() == 2
    assert "198.51.100.7" not in keys and "ada@example.com" not in keys


@pytest.mark.parametrize(
    ("email", "language"),
    [
        ("not an address", "en"),
        ("", "en"),
        ("ada@example.com\r\nBcc: victim@example.org", "en"),
        ("ada@example.com\nSubject: hi", "en"),
        ("a" * 250 + "@example.com", "en"),
        ("ada@example.com", "xx"),
        ("ada@example.com", "en\r\nBcc: victim@example.org"),
    ],
)
def test_bad_input_is_a_form_error_and_sends_nothing(post, email, language):
    response = post("/en/privacy/subscribe/", {"email": email, "language": language})
    assert response.status_code == 200
    assert soup(response).select(".errorlist")
    assert mail.outbox == []
    assert Subscriber.objects.count() == 0


def test_form_errors_are_translated(post):
    response = post("/ja/privacy/subscribe/", {"email": "nope", "language": "en"})
    assert "有効なメールアドレスを入力してください" in response.content.decode()


def test_confirming_takes_a_button_press_then_subscribes_once(post, client):
    post("/en/privacy/subscribe/", {"email": "Ada@Example.com", "language": "ja"})
    path = path_of(confirm_link(mail.outbox[0]))
    page = client.get(path)  # a mail scanner following the link subscribes nobody
    assert page.status_code == 200
    assert "Ada@Example.com" in page.content.decode()
    assert Subscriber.objects.count() == 0
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200  # pressing twice is harmless
    (subscriber,) = Subscriber.objects.all()
    assert (subscriber.email, subscriber.email_key, subscriber.language) == (
        "Ada@Example.com",
        "ada@example.com",
        "ja",
    )
    assert subscriber.is_active


def test_confirming_again_updates_the_language_of_a_known_subscriber(post, client):
    for language in ("en", "zh-hans"):
        mail.outbox.clear()
        post("/en/privacy/subscribe/", {"email": "ada@example.com", "language": language})
        client.post(path_of(confirm_link(mail.outbox[0])))
    (subscriber,) = Subscriber.objects.all()
    assert subscriber.language == "zh-hans"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tampered_and_forged_links_get_a_clear_400_page(client, lang):
    good = pending_link()
    (subscriber,) = make_subscribers(1)
    unsubscribe = unsubscribe_link_issue(subscriber_id=subscriber.pk)
    # Another secret under a genuine-looking date and signature: the signature is the secret's.
    secret = good.split(":")[0]
    other = ("A" if secret[0] != "A" else "B") + secret[1:]
    forged = other + good[len(secret) :]
    for token in (good[:-2] + "xx", good[:20], "garbage", good.replace(":", "", 1), unsubscribe, forged):
        response = client.get(f"/{lang}/privacy/subscribe/confirm/{token}/")
        assert response.status_code == 400, token
        assert soup(response).h1
        assert client.post(f"/{lang}/privacy/subscribe/confirm/{token}/").status_code == 400
    changed_last = unsubscribe[:-1] + ("A" if unsubscribe[-1] != "A" else "B")
    for token in (changed_last, "1", str(subscriber.pk), good):
        assert client.post(f"/{lang}/privacy/unsubscribe/{token}/").status_code == 400
        assert client.get(f"/{lang}/privacy/unsubscribe/{token}/").status_code == 400
    assert list(Subscriber.objects.values_list("pk", "status")) == [(subscriber.pk, Subscriber.Status.CONFIRMED)]


def test_an_expired_confirmation_link_is_a_410_page(client):
    with time_machine.travel(datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc), tick=False):
        token = pending_link()
    late = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
        seconds=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE + 60
    )
    with time_machine.travel(late, tick=False):
        response = client.post(f"/en/privacy/subscribe/confirm/{token}/")
    assert response.status_code == 410
    assert "expired" in soup(response).h1.text
    assert Subscriber.objects.count() == 0


def test_an_old_confirmation_link_cannot_undo_a_later_unsubscribe(client):
    start = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    with time_machine.travel(start, tick=False):
        token = pending_link()
        second = pending_link(language="ko")  # a second request of the same mailbox
        client.post(f"/en/privacy/subscribe/confirm/{token}/")
    subscriber = Subscriber.objects.get()
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        client.post(f"/en/privacy/unsubscribe/{unsubscribe_link_issue(subscriber_id=subscriber.pk)}/")
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        assert client.post(f"/en/privacy/subscribe/confirm/{token}/").status_code == 410
        assert client.get(f"/en/privacy/subscribe/confirm/{token}/").status_code == 410
        assert client.post(f"/en/privacy/subscribe/confirm/{second}/").status_code == 410
    subscriber.refresh_from_db()
    assert not subscriber.is_active


def test_a_request_made_before_an_unsubscribe_cannot_undo_it(client):
    start = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    (subscriber,) = make_subscribers(1, prefix="ada")
    with time_machine.travel(start, tick=False):
        token = pending_link(email=subscriber.email)
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        services.subscriber_unsubscribe(subscriber_id=subscriber.pk)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        assert client.post(f"/en/privacy/subscribe/confirm/{token}/").status_code == 410
    subscriber.refresh_from_db()
    assert not subscriber.is_active


def test_a_resubscription_keeps_when_the_earlier_consent_was_given_and_withdrawn(client, admin_client):
    """The subscriber row holds the latest state; its history holds every confirmation and
    unsubscribe, so notices sent under an earlier consent still show one."""
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=120)
    with time_machine.travel(start, tick=False):
        client.post(f"/en/privacy/subscribe/confirm/{pending_link()}/")
    subscriber = Subscriber.objects.get()
    with time_machine.travel(start + datetime.timedelta(days=30), tick=False):
        client.post(f"/en/privacy/unsubscribe/{unsubscribe_link_issue(subscriber_id=subscriber.pk)}/")
    with time_machine.travel(start + datetime.timedelta(days=60), tick=False):
        client.post(f"/ja/privacy/subscribe/confirm/{pending_link(language='ja')}/")
    # Today, by an officer (the admin session lives in the present).
    admin_client.post(
        "/admin/subscriptions/subscriber/", {"action": "unsubscribe", "_selected_action": [subscriber.pk]}
    )
    services.subscriber_unsubscribe(subscriber_id=subscriber.pk)  # again: nothing more to record
    history = [(e.kind, e.via, (e.at - start).days, e.language) for e in subscriber.events.all()]
    assert history == [
        ("confirmed", "link", 0, "en"),
        ("unsubscribed", "link", 30, ""),
        ("confirmed", "link", 60, "ja"),
        ("unsubscribed", "admin", 120, ""),
    ]
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at == start + datetime.timedelta(days=60)  # the row: the latest only
    # Officers read it on the subscriber's page; the history cannot be rewritten.
    page = admin_client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/change/").content.decode()
    kinds = [td.get_text(strip=True) for td in BeautifulSoup(page, "html.parser").select("td.field-kind")]
    assert kinds == ["Confirmed from the mailbox", "Unsubscribed", "Confirmed from the mailbox", "Unsubscribed"]
    from core.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        subscriber.events.update(kind="confirmed")
    with pytest.raises(AppendOnlyError):
        subscriber.events.all().delete()
    event = subscriber.events.first()
    event.at = start
    with pytest.raises(AppendOnlyError):
        event.save()
    # An access request's export carries it; an erasure takes it with the subscriber.
    from subscriptions.receivers import subscription_erase, subscription_export

    exported = subscription_export(None, email="ada@example.com")["subscriptions"][0]["history"]
    assert [e["event"] for e in exported] == ["confirmed", "unsubscribed", "confirmed", "unsubscribed"]
    subscription_erase(None, email="ada@example.com")
    from subscriptions.models import SubscriptionEvent

    assert not SubscriptionEvent.objects.exists()


def consent_cookies_of_a_visitor_who_chose():
    """The cookies of a browser that has answered the banner (rejected all), and nothing else."""
    browser = Client()
    post_banner_choice(browser, page_path="/en/privacy/subscribe/")
    return {name: browser.cookies[name].value for name in (settings.COOKIE_CONSENT_NAME, "consent_id")}


def test_unsubscribe_link_shows_a_confirmation_page_with_a_button(client, cookie_groups):
    (subscriber,) = make_subscribers(1)
    path = f"/ko/privacy/unsubscribe/{unsubscribe_link_issue(subscriber_id=subscriber.pk)}/"
    response = client.get(path)
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("main form")
    assert form["method"] == "post" and form.select_one("button")
    # The signed link authenticates the unsubscribe form: it carries no CSRF token...
    assert not form.select_one("input[name=csrfmiddlewaretoken]")
    # ...the only token on the page is the consent banner's, and its cookie is the only one set.
    banner_forms = page.select("#cookie-banner form")
    assert banner_forms and all(f.select_one("input[name=csrfmiddlewaretoken]") for f in banner_forms)
    assert set(response.cookies) == {"csrftoken"}
    subscriber.refresh_from_db()
    assert subscriber.is_active  # a GET changes nothing

    # A visitor who has already chosen gets no banner, so the page sets no cookie at all.
    chosen = Client()
    chosen.cookies.load(consent_cookies_of_a_visitor_who_chose())
    response = chosen.get(path)
    assert response.status_code == 200
    assert not soup(response).select("#cookie-banner, input[name=csrfmiddlewaretoken]")
    assert not response.cookies


def test_one_click_unsubscribe_needs_no_cookie_session_or_csrf_token(subscribers, cookie_groups, launch_content):
    subscriber, other = subscribers[:2]
    version = PolicyVersion.objects.published().get(effective_date="2025-09-02")
    campaign = Campaign.objects.create(version=version)
    now = timezone.now()
    for who in (subscriber, other):
        Delivery.objects.create(campaign=campaign, subscriber=who, next_attempt_at=now)
    client = Client(enforce_csrf_checks=True)
    path = f"/en/privacy/unsubscribe/{unsubscribe_link_issue(subscriber_id=subscriber.pk)}/"
    # What a mail client sends for RFC 8058: a bare form POST with this one field, no cookie.
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.unsubscribed_at
    # The notice not yet sent to them is cancelled; everyone else's is untouched.
    assert Delivery.objects.get(subscriber=subscriber).status == Delivery.Status.CANCELLED
    assert Delivery.objects.get(subscriber=other).status == Delivery.Status.PENDING
    # No session and no consent cookie: only the banner's CSRF cookie, because the page
    # shown after it (to a person who pressed the button) asks for cookie consent.
    assert set(response.cookies) == {"csrftoken"}
    assert soup(response).select("#cookie-banner input[name=csrfmiddlewaretoken]")
    assert client.post(path).status_code == 200  # again: still fine
    assert Delivery.objects.get(subscriber=subscriber).status == Delivery.Status.CANCELLED


def test_the_rest_of_the_site_still_enforces_csrf(subscribers):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/privacy/subscribe/", {"email": "a@example.com", "language": "en"})
    assert response.status_code == 403


def test_unsubscribe_for_a_deleted_subscriber_still_answers_200(client):
    (subscriber,) = make_subscribers(1)
    token = unsubscribe_link_issue(subscriber_id=subscriber.pk)
    subscriber.delete()
    assert client.post(f"/en/privacy/unsubscribe/{token}/").status_code == 200


def test_an_unsubscribe_link_expires_after_its_max_age(client, settings):
    (subscriber,) = make_subscribers(1)
    start = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    with time_machine.travel(start, tick=False):
        token = unsubscribe_link_issue(subscriber_id=subscriber.pk)
    late = start + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE + 60)
    with time_machine.travel(late, tick=False):
        response = client.post(f"/en/privacy/unsubscribe/{token}/")
    assert response.status_code == 410
    assert "latest notice" in soup(response).main.text
    subscriber.refresh_from_db()
    assert subscriber.is_active


def test_the_pages_have_their_own_namespace_at_the_same_addresses():
    with translation.override("ko"):
        assert reverse("subscriptions:subscribe") == "/ko/privacy/subscribe/"
        assert reverse("subscriptions:subscribe_sent") == "/ko/privacy/subscribe/sent/"
        assert reverse("subscriptions:subscribe_confirm", kwargs={"token": "t"}) == "/ko/privacy/subscribe/confirm/t/"
        assert reverse("subscriptions:unsubscribe", kwargs={"token": "t"}) == "/ko/privacy/unsubscribe/t/"
    assert resolve("/en/privacy/unsubscribe/t/").namespace == "subscriptions"
    assert resolve("/en/privacy/").namespace == "notices"
    with pytest.raises(NoReverseMatch):
        reverse("notices:subscribe")


def test_unknown_language_prefix_and_wrong_methods(client):
    assert client.get("/xx/privacy/subscribe/").status_code == 404
    assert client.put("/en/privacy/subscribe/").status_code == 405
    assert client.delete("/en/privacy/unsubscribe/t/").status_code == 405
    assert client.post("/en/privacy/subscribe/sent/").status_code == 405


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ada@Bücher.example", "ada@xn--bcher-kva.example"),
        ('"ada"@example.com', "ADA@example.com"),
    ],
)
def test_one_mailbox_is_one_subscriber_however_it_is_spelled(db, one, other):
    from subscriptions.models import PendingSubscription, Subscriber, normalise_email

    assert normalise_email(one) == normalise_email(other)
    pending_link(email=one, language="en")
    first = services.subscription_confirm(pending=PendingSubscription.objects.get())
    pending_link(email=other, language="ko")
    second = services.subscription_confirm(pending=PendingSubscription.objects.get())
    assert first.pk == second.pk and Subscriber.objects.count() == 1
    assert Subscriber.objects.get().language == "ko"


def test_a_quoted_local_part_that_needs_its_quotes_keeps_them():
    from subscriptions.models import normalise_email

    assert normalise_email('"a b"@example.com') == '"a b"@example.com'
    assert normalise_email('"a b"@example.com') != normalise_email("ab@example.com")


def test_the_migration_rekeys_old_keys_and_leaves_one_mailboxs_two_rows_alone(db, capsys):
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    from subscriptions.models import Subscriber

    migration = import_module("subscriptions.migrations.0002_rekey_addresses")
    now = timezone.now()
    # keys as the old normalisation (casefold only) made them
    Subscriber.objects.create(email="Ada@Bücher.example", email_key="ada@bücher.example", confirmed_at=now)
    Subscriber.objects.create(email='"bo"@example.com', email_key='"bo"@example.com', confirmed_at=now)
    Subscriber.objects.create(email="bo@example.com", email_key="bo@example.com", confirmed_at=now)
    migration.rekey(apps, None)
    keys = sorted(Subscriber.objects.values_list("email_key", flat=True))
    assert keys == ['"bo"@example.com', "ada@xn--bcher-kva.example", "bo@example.com"]
    assert "2 subscribers share a mailbox" in capsys.readouterr().out
