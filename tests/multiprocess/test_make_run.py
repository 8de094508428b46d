"""`make run`'s own server (bin/serve: gunicorn with 4 workers and a task worker) on SQLite.

A publish made by `import_policy --publish` in another process must reach every worker
within 2 seconds, including the workers that had cached the page without the change and
a "not found" for the new version; and the subscribe form's rate limits must count every
worker's requests together.
"""

import datetime
import re
import stat
import time

import pytest

from .conftest import (
    NOTICE,
    ROOT,
    Check,
    address_attempts,
    answers,
    client_limit_statuses,
    free_port,
    has_notice,
    lists,
    manage,
    poll,
    prepare_site,
    publish_material_change,
    run_batch,
    site_env,
    sqlite_count,
    traffic,
    warm,
)

pytestmark = pytest.mark.multiprocess

WORKERS = 4
MAKE_RUN_SETTINGS = re.search(r"^run: export DJANGO_SETTINGS_MODULE = (\S+)$", (ROOT / "Makefile").read_text(), re.M)[1]
WINDOW = 2.0  # seconds after the publish command finishes
POLICY = "/en/privacy/"
HISTORY = "/en/privacy/versions/"
FEED = "/en/privacy/feed/"


def serve_make_run(tmp_path, database_url, start_server, *, workers=WORKERS, **extra):
    """What `make run` starts: its settings (no DEBUG switch), and a key made into a file by set-up."""
    port = free_port()
    env = site_env(
        work=tmp_path, database_url=database_url, PORT=str(port), SITE_URL=f"http://127.0.0.1:{port}", **extra
    )
    del env["DJANGO_DEBUG"], env["DJANGO_SECRET_KEY"]
    env.update(DJANGO_SETTINGS_MODULE=MAKE_RUN_SETTINGS, DJANGO_SECRET_KEY_FILE=str(tmp_path / ".secret_key"))
    prepare_site(env)
    server = start_server([str(ROOT / "bin" / "serve")], env, name="make-run", workers=workers)
    return server, env


def test_make_run_answers_errors_with_the_friendly_pages_under_its_own_key(tmp_path, sqlite_url, start_server):
    server, _env = serve_make_run(tmp_path, sqlite_url, start_server, workers=2)
    not_found = server.get("/en/no-such-page/")
    bad_request = server.get(POLICY + "?jurisdiction=%3Cx%3E")
    assert not_found.status == 404 and "<h1>Page not found</h1>" in not_found.body
    assert bad_request.status == 400 and "<h1>Bad request</h1>" in bad_request.body
    for page in (not_found, bad_request):
        # Django's debug pages list the URL patterns or print the traceback and settings.
        assert "URLconf" not in page.body and "Traceback" not in page.body and "DEBUG = True" not in page.body
    key_file = tmp_path / ".secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) >= 50


def test_a_publish_reaches_every_make_run_worker_within_2_seconds(tmp_path, sqlite_url, start_server):
    server, env = serve_make_run(tmp_path, sqlite_url, start_server)
    effective = datetime.date.today() + datetime.timedelta(days=40)
    version = f"/en/privacy/versions/{effective}/"

    # Every worker caches the page without the notice, a "not found" for the coming
    # version, the history and the feed.
    warm(server, {POLICY: 40, version: 24, HISTORY: 20, FEED: 20})
    unchanged = run_batch(
        [
            Check(server, POLICY, 8, lambda r: r.status == 200 and NOTICE not in r.body, "showed a notice early"),
            Check(server, version, 8, answers(404), "were not 404 before publishing"),
            Check(server, HISTORY, 4, lambda r: r.status == 200 and str(effective) not in r.body, "listed it early"),
        ],
        label="before",
    )
    assert not unchanged, [o.describe() for o in unchanged]

    with traffic([server], POLICY) as visits:  # so every worker has just read the old state
        published, finished = publish_material_change(env, tmp_path, days_ahead=40)
    print(f"\nrequests during the publish: {dict(visits)}")
    assert published == effective

    pages = poll(
        [
            Check(server, POLICY, 40, has_notice, "lacked the notice"),
            Check(server, version, 24, answers(200), "did not answer 200"),
        ],
        since=finished,
        window=WINDOW,
    )
    print(f"policy and version page: {pages.report()}")
    # The history and the feed: by now every worker must have seen the publish.
    listings = poll(
        [
            Check(server, HISTORY, 20, lists(effective), "did not list the new version"),
            Check(server, FEED, 20, lists(effective), "did not carry the new version"),
        ],
        since=finished,
        window=WINDOW,
    )
    print(f"history and feed: {listings.report()}")
    assert pages.within(WINDOW), pages.report()
    assert listings.within(WINDOW), listings.report()


def test_the_subscribe_rate_limits_count_every_make_run_worker(tmp_path, sqlite_url, start_server, mailbox):
    box, smtp_port = mailbox
    server, env = serve_make_run(
        tmp_path,
        sqlite_url,
        start_server,
        TRUSTED_PROXY_COUNT="1",
        SUBSCRIPTIONS_RATE_PER_CLIENT="6",
        SUBSCRIPTIONS_RATE_PER_ADDRESS="3",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
    )
    # New connections spread the POSTs over the four workers.
    by_client = client_limit_statuses([server], limit=6, client="198.51.100.7")
    by_address = address_attempts([server], email="one@example.com", attempts=5, first_client=20)

    # bin/serve's task worker sends the confirmations; then make sure nothing is left.
    deadline = time.monotonic() + 60
    pending = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING') "
        "AND task_path != 'subscriptions.tasks.pending_prune'"  # deferred until the links expire
    )
    while sqlite_count(sqlite_url, pending) and time.monotonic() < deadline:
        time.sleep(0.25)
    manage(env, "db_worker", "--batch", "--no-startup-delay")
    emails = box.count("one@example.com")
    client_emails = sum(box.count(f"client-{n}@example.com") for n in range(11))
    report = (
        f"one client, 11 POSTs: {by_client}; one address, 5 POSTs: {by_address} -> {emails} emails; "
        f"{client_emails} emails to the client's addresses"
    )
    print(f"\n{report}")
    assert by_client == ["sent"] * 6 + ["429"] * 5, report
    assert by_address == ["sent"] * 5, report
    assert emails == 3, report
    assert client_emails == 6, report


def test_make_run_on_another_port_links_every_email_there(tmp_path, sqlite_url, start_server):
    """`PORT=<port> make run` without SITE_URL: every link in a confirmation starts at that port."""
    import email as email_parser
    import threading

    from aiosmtpd.controller import Controller

    from .conftest import csrf_from, free_port, subscribe

    messages, lock = [], threading.Lock()

    class Keep:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                messages.append(envelope.original_content)
            return "250 OK"

    smtp = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        port = free_port()
        env = site_env(
            work=tmp_path, database_url=sqlite_url, PORT=str(port), EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}"
        )
        del env["DJANGO_DEBUG"], env["DJANGO_SECRET_KEY"]
        env.pop("SITE_URL", None)
        env.update(DJANGO_SETTINGS_MODULE=MAKE_RUN_SETTINGS, DJANGO_SECRET_KEY_FILE=str(tmp_path / ".secret_key"))
        prepare_site(env)
        server = start_server([str(ROOT / "bin" / "serve")], env, name="make-run-port", workers=1)
        assert subscribe(server, csrf_from(server), email="ada@example.org", client="198.51.100.9").status == 302
        deadline = time.monotonic() + 60
        while not messages and time.monotonic() < deadline:
            time.sleep(0.25)
    finally:
        smtp.stop()
    assert messages, "bin/serve's task worker sent no confirmation within a minute"
    parsed = email_parser.message_from_bytes(messages[0])
    text, html = (part.get_payload(decode=True).decode() for part in parsed.get_payload())
    links = re.findall(r"https?://[^\s\"<>]+", text) + re.findall(r'href="(https?://[^"]+)"', html)
    assert len(links) >= 4
    assert all(link.startswith(f"http://127.0.0.1:{port}/") for link in links), links
