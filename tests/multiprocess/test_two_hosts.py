"""Two hosts: two gunicorn instances (2 workers each) on one PostgreSQL database and one Redis.

As the README's "Deploying at scale" describes: a publish made once, anywhere, reaches both
hosts within a second, and the subscribe form's rate limits count both hosts together;
with Redis, and with the default cache that every process shares through the database.
Needs PostgreSQL (and Redis) on loopback: skipped without them, a failure when CI is set.
"""

import datetime

import pytest

from .conftest import (
    Check,
    address_attempts,
    answers,
    client_limit_statuses,
    free_port,
    gunicorn_argv,
    has_notice,
    manage,
    poll,
    prepare_site,
    publish_material_change,
    site_env,
    traffic,
    warm,
)

pytestmark = pytest.mark.multiprocess

WORKERS = 2  # per host
WINDOW = 1.0  # seconds after the publish command finishes
CLIENT_LIMIT = 6
ADDRESS_LIMIT = 3
POLICY = "/en/privacy/"


# With REDIS_URL, as the README advises; and with the default cache, which every process
# shares through the database (DESIGN §2) once `createcachetable` made its table.
@pytest.mark.parametrize("cache", ["redis", "default"])
def test_two_hosts_share_a_publish_and_the_rate_limits(request, cache, tmp_path, postgres_url, mailbox, start_server):
    box, smtp_port = mailbox
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if cache == "redis" else {}
    env = site_env(
        work=tmp_path,
        database_url=postgres_url,
        **extra,
        TRUSTED_PROXY_COUNT="1",  # X-Forwarded-For names the client, as a load balancer would
        SUBSCRIPTIONS_RATE_PER_CLIENT=str(CLIENT_LIMIT),
        SUBSCRIPTIONS_RATE_PER_ADDRESS=str(ADDRESS_LIMIT),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
    )
    prepare_site(env)  # once, as a release does
    hosts = [
        start_server(gunicorn_argv(), {**env, "PORT": str(free_port())}, name=f"host-{name}", workers=WORKERS)
        for name in ("a", "b")
    ]
    problems = []

    # A publish on neither host reaches both.
    effective = datetime.date.today() + datetime.timedelta(days=40)
    version = f"/en/privacy/versions/{effective}/"
    for host in hosts:
        warm(host, {POLICY: 40, version: 24})
    with traffic(hosts, POLICY) as visits:  # so every worker has just read the old state
        published, finished = publish_material_change(env, tmp_path, days_ahead=40)
    print(f"\nrequests during the publish: {dict(visits)}")
    assert published == effective
    seen = poll(
        [
            *(Check(host, POLICY, 20, has_notice, "lacked the notice") for host in hosts),
            *(Check(host, version, 10, answers(200), "did not answer 200") for host in hosts),
        ],
        since=finished,
        window=WINDOW,
    )
    print(f"\nboth hosts after the publish: {seen.report()}")
    if not seen.within(WINDOW):
        problems.append(seen.report())

    # One client, alternating hosts, a new address each time: refused after the limit.
    by_client = client_limit_statuses(hosts, limit=CLIENT_LIMIT, client="198.51.100.7")
    # One address from new clients, alternating hosts: every answer is the same "sent" page.
    by_address = address_attempts(hosts, email="one@example.com", attempts=5, first_client=20)
    manage(env, "db_worker", "--batch", "--no-startup-delay")  # sends the queued confirmations
    emails = box.count("one@example.com")
    client_emails = sum(box.count(f"client-{n}@example.com") for n in range(len(by_client)))
    limits = (
        f"one client, {len(by_client)} POSTs over both hosts: {by_client}; one address, 5 POSTs: {by_address} -> "
        f"{emails} emails; {client_emails} emails to the client's addresses"
    )
    print(limits)
    expected = (["sent"] * CLIENT_LIMIT + ["429"] * (len(by_client) - CLIENT_LIMIT), ["sent"] * 5)
    if (by_client, by_address, emails, client_emails) != (*expected, ADDRESS_LIMIT, CLIENT_LIMIT):
        problems.append(f"rate limits: {limits} (expected {ADDRESS_LIMIT} and {CLIENT_LIMIT} emails)")

    assert not problems, "\n".join(problems)
