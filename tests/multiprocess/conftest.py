"""Run the site as real processes: gunicorn workers, a task worker, management commands.

Nothing here uses pytest-django's test database or this process's Django: every server
gets its own fresh database (a temp SQLite file, or a scratch PostgreSQL database), is
prepared with the commands `make setup` runs, and is spoken to over loopback HTTP only.
Every server runs in its own process group and is stopped, with its workers, when the
test ends. Every loop is bounded in count and in time.

Each gunicorn worker writes its pid and the request's `X-Probe` header to an access log,
so a test can tell which worker answered which request (and prove every worker was warm).
"""

import concurrent.futures
import contextlib
import datetime
import http.client
import http.cookies
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.notices.factories import policy_text

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
STARTUP_TIMEOUT = 60  # seconds for /healthz to answer on a loaded machine
COMMAND_TIMEOUT = 300  # seconds for one management command
REQUEST_TIMEOUT = 30
NOTICE = "An updated Privacy Policy takes effect on"
ACCESS_FORMAT = "%(p)s %({x-probe}i)s %(s)s %(m)s %(U)s"
ACCESS_LINE = re.compile(r"^<(\d+)> (\S+) (\d{3}) ")


def _postgres_server() -> str:
    """Where scratch databases are created: as told, else the suite's own server, else local."""
    if os.environ.get("MULTIPROCESS_POSTGRES_URL"):
        return os.environ["MULTIPROCESS_POSTGRES_URL"]
    suite = os.environ.get("DATABASE_URL", "")
    if suite.startswith(("postgres://", "postgresql://")):
        return suite.split("?", 1)[0].rsplit("/", 1)[0] + "/"
    return "postgres://postgres@127.0.0.1:5432/"


POSTGRES_URL = _postgres_server()
REDIS_URL = os.environ.get("MULTIPROCESS_REDIS_URL", "redis://127.0.0.1:6379/7")

# The project's own settings come only from what a test passes, never from the shell.
_SITE_PREFIXES = (
    "DJANGO_",
    "DATABASE_",
    "REDIS_",
    "CACHE",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "SUBSCRIPTIONS_",
    "NOTICES_",
    "CONSENT_",
    "GEO",
    "TRUSTED_PROXY_COUNT",
    "LEGAL_TIME_ZONE",
    "SITE_URL",
    "STATIC_ROOT",
    "LOG_LEVEL",
    "GUNICORN_",
    "WEB_CONCURRENCY",
    "FORWARDED_ALLOW_IPS",
    "PORT",
)


# The suite-wide autouse fixtures reset this process's cache and test database; these
# tests use neither, and must not make pytest-django touch a database.
@pytest.fixture(autouse=True)
def _fresh_cache():
    yield


@pytest.fixture(autouse=True)
def _triggers_in_place():
    yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env(*, work: Path, database_url: str, **extra: str) -> dict:
    """The environment of every process of one site: dev settings with DEBUG off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SITE_PREFIXES)}
    env.update(
        DJANGO_SETTINGS_MODULE="privacy_site.settings.dev",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # one key per site: every host shares it
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(work / "static"),
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
        **extra,
    )
    return env


def manage(env: dict, *args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def prepare_site(env: dict) -> None:
    """What `make setup` does to a fresh database (createcachetable for a database cache)."""
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["load_launch_content"],
        ["load_cookie_groups"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        manage(env, *command)


def services_unavailable(reason: str):
    """Fail in CI, where PostgreSQL and Redis are part of the job; skip on a laptop."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure rather than a skip)", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------------------- databases


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'site.sqlite3'}"


def sqlite_count(url: str, sql: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database, created for this test and dropped after it."""
    import psycopg

    try:
        admin = psycopg.connect(f"{POSTGRES_URL.rstrip('/')}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unreachable = f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}"
    else:
        unreachable = None
    if unreachable:
        services_unavailable(unreachable)
    name = f"privacy_mp_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rstrip('/')}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES_URL.rstrip('/')}/postgres", autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    """A Redis database number of our own, empty at the start and emptied at the end."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        unreachable = f"Redis is not reachable at {REDIS_URL}: {exc}"
    else:
        unreachable = None
    if unreachable:
        services_unavailable(unreachable)
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


# ------------------------------------------------------------------------------- servers


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage = field(repr=False)
    body: str = field(repr=False)
    probe: str = ""


@dataclass
class Server:
    name: str
    port: int
    workers: int
    process: subprocess.Popen
    log_path: Path
    access_path: Path
    _probes: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def probe(self, label: str) -> str:
        with self._lock:
            self._probes[label] += 1
            return f"{self.name}.{label}.{self._probes[label]}"

    def request(self, method: str, path: str, *, label: str = "req", body=None, headers=None) -> Response:
        """One request on a new connection, so consecutive requests spread over the workers."""
        probe = self.probe(label)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(
                method,
                path,
                body=body,
                headers={"Accept-Language": "en", "Connection": "close", "X-Probe": probe, **(headers or {})},
            )
            response = conn.getresponse()
            return Response(response.status, response.headers, response.read().decode("utf-8", "replace"), probe)
        finally:
            conn.close()

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def pids(self) -> dict[str, str]:
        """Probe → pid of the worker that answered it, from the access log."""
        found = {}
        if self.access_path.exists():
            for line in self.access_path.read_text(errors="replace").splitlines():
                match = ACCESS_LINE.match(line)
                if match:
                    found[match[2]] = match[1]
        return found

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if self.get("/healthz", label="health").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        pytest.fail(f"{self.name} did not answer /healthz within {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM the whole process group (master, workers, task worker), SIGKILL what is left."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


@pytest.fixture
def start_server(tmp_path):
    """Start a server command in its own process group; every one is stopped at teardown.

    ``start_server(argv, env, name=..., workers=N)`` returns a healthy Server on env["PORT"].
    """
    started: list[Server] = []

    def start(argv: list[str], env: dict, *, name: str, workers: int) -> Server:
        log_path = tmp_path / f"{name}.log"
        access_path = tmp_path / f"{name}.access.log"
        env = {
            **env,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_ACCESS_LOG": str(access_path),
            # gunicorn reads these after its config file; gunicorn.conf.py sets no format.
            "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'",
        }
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(name, int(env["PORT"]), workers, process, log_path, access_path)
        started.append(server)
        server.wait_healthy()
        return server

    try:
        yield start
    finally:
        for server in reversed(started):
            server.stop()


def gunicorn_argv() -> list[str]:
    return [GUNICORN, "--config", "gunicorn.conf.py"]  # the application gunicorn.conf.py names


# ------------------------------------------------------------------------------ warming


def warm(server: Server, paths: dict[str, int], *, max_rounds: int = 8, timeout: float = 90) -> dict[str, set]:
    """Request each path at least its count of times, until every worker has answered each.

    Requests go from as many threads as there are workers, so no worker sits idle. Returns
    path → the set of worker pids that answered it; fails if a worker was never reached.
    """
    deadline = time.monotonic() + timeout
    seen: dict[str, set] = {path: set() for path in paths}
    probes: dict[str, list[str]] = {path: [] for path in paths}
    with concurrent.futures.ThreadPoolExecutor(max_workers=server.workers) as pool:
        for _round in range(max_rounds):
            jobs = [(path, count) for path, count in paths.items() if len(seen[path]) < server.workers]
            if not jobs or time.monotonic() > deadline:
                break
            for path, count in jobs:
                for response in pool.map(lambda p: server.get(p, label="warm"), [path] * count):
                    probes[path].append(response.probe)
            time.sleep(0.3)  # gunicorn logs a request just after answering it
            pids = server.pids()
            for path in paths:
                seen[path] = {pids[p] for p in probes[path] if p in pids}
    missing = {path: len(pids) for path, pids in seen.items() if len(pids) < server.workers}
    assert not missing, f"{server.name}: warm-up never reached all {server.workers} workers: {missing}"
    return seen


# ----------------------------------------------------------------------- batches and polls


@dataclass
class Check:
    """`count` consecutive requests to `path` on `server`, each of which must satisfy `ok`."""

    server: Server
    path: str
    count: int
    ok: object  # Callable[[Response], bool]
    failure: str  # what a failing response did, e.g. "lacked the notice"


@dataclass
class Outcome:
    check: Check
    failed: list[Response]

    def describe(self) -> str:
        statuses = Counter(r.status for r in self.failed)
        pids = self.check.server.pids()
        workers = Counter(pids.get(r.probe, "?") for r in self.failed)
        return (
            f"{len(self.failed)} of {self.check.count} {self.check.server.name} {self.check.path} "
            f"{self.check.failure} (statuses {dict(statuses)}, by worker pid {dict(workers)})"
        )


def run_batch(checks: list[Check], *, label: str) -> list[Outcome]:
    """Run each check's requests one after another; return the checks that had failures."""
    outcomes = []
    for check in checks:
        failed = []
        for _ in range(check.count):
            response = check.server.get(check.path, label=label)
            if not check.ok(response):
                failed.append(response)
        if failed:
            outcomes.append(Outcome(check, failed))
    return outcomes


@dataclass
class Poll:
    passed: bool
    batches: int
    started: float  # seconds after `since` when the last batch started
    finished: float  # ... and when it finished
    failures: list[Outcome] = field(repr=False)

    def within(self, window: float) -> bool:
        """A batch that started within the window passed."""
        return self.passed and self.started <= window

    def report(self) -> str:
        head = (
            f"{'passed' if self.passed else 'still failing'} after {self.batches} batch(es); "
            f"last batch ran {self.started:.3f}-{self.finished:.3f} s after the publish"
        )
        return "\n".join([head, *(f"  {o.describe()}" for o in self.failures)])


def poll(checks: list[Check], *, since: float, window: float, max_batches: int = 100) -> Poll:
    """Repeat the whole batch until one passes, starting batches only within `window` s of `since`."""
    batches = 0
    while True:
        started = time.monotonic() - since
        failures = run_batch(checks, label=f"poll{batches}")
        batches += 1
        finished = time.monotonic() - since
        if not failures or finished >= window or batches >= max_batches:
            time.sleep(0.3)  # let the access log catch up for the report
            return Poll(not failures, batches, started, finished, failures)


# ---------------------------------------------------------------------------- publishing


def publish_material_change(env: dict, work: Path, *, days_ahead: int = 40) -> tuple[datetime.date, float]:
    """Import and publish a material change through `import_policy --publish`.

    Returns the new version's effective date and the monotonic time the command finished.
    """
    effective = datetime.date.today() + datetime.timedelta(days=days_ahead)
    path = work / f"{effective}.md"
    path.write_text(
        policy_text(effective_date=effective.isoformat(), material="true", summary="We keep logs for 30 days."),
        encoding="utf-8",
    )
    manage(env, "import_policy", str(path), "--publish")
    return effective, time.monotonic()


def has_notice(response: Response) -> bool:
    return response.status == 200 and NOTICE in response.body


def lists(date: datetime.date):
    def ok(response: Response) -> bool:
        return response.status == 200 and date.isoformat() in response.body

    return ok


def answers(status: int):
    return lambda response: response.status == status


# -------------------------------------------------------------------------- subscriptions


@dataclass
class Csrf:
    cookie: str
    field: str


def csrf_from(server: Server) -> Csrf:
    """GET the subscribe form: its csrftoken cookie and the hidden field that goes with it."""
    response = server.get("/en/privacy/subscribe/", label="form")
    assert response.status == 200, response.status
    cookies = http.cookies.SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.body)
    assert "csrftoken" in cookies and match, "the subscribe form carries no CSRF cookie and field"
    return Csrf(cookies["csrftoken"].value, match[1])


def subscribe(server: Server, csrf: Csrf, *, email: str, client: str) -> Response:
    """POST the subscribe form as `client` (X-Forwarded-For, with TRUSTED_PROXY_COUNT=1)."""
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf.field, "email": email, "language": "en"})
    return server.request(
        "POST",
        "/en/privacy/subscribe/",
        label="subscribe",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf.cookie}",
            "X-Forwarded-For": client,
        },
    )


def outcome(response: Response) -> str:
    """'sent' for the redirect to the "check your email" page, else the status code."""
    if response.status == 302 and response.headers.get("Location", "").endswith("/privacy/subscribe/sent/"):
        return "sent"
    return str(response.status)


class Mailbox:
    """aiosmtpd handler: counts the messages each recipient received."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received[recipient.lower()] += 1
        return "250 OK"

    def count(self, recipient: str) -> int:
        with self.lock:
            return self.received[recipient.lower()]

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())


@pytest.fixture
def mailbox():
    """A real SMTP server on loopback; yields (Mailbox, port)."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def client_limit_statuses(servers: list[Server], *, limit: int, client: str, extra: int = 5) -> list[str]:
    """POST `limit + extra` subscriptions (each for a new address) as one client, alternating servers."""
    csrfs = {server.name: csrf_from(server) for server in servers}
    statuses = []
    for n in range(limit + extra):
        server = servers[n % len(servers)]
        response = subscribe(server, csrfs[server.name], email=f"client-{n}@example.com", client=client)
        statuses.append(outcome(response))
    return statuses


def address_attempts(servers: list[Server], *, email: str, attempts: int, first_client: int) -> list[str]:
    """POST one address `attempts` times, each from a new client, alternating servers."""
    csrfs = {server.name: csrf_from(server) for server in servers}
    statuses = []
    for n in range(attempts):
        server = servers[n % len(servers)]
        response = subscribe(server, csrfs[server.name], email=email, client=f"198.51.100.{first_client + n}")
        statuses.append(outcome(response))
    return statuses


@contextlib.contextmanager
def traffic(servers: list[Server], path: str, *, limit: float = 300, max_requests: int = 20000):
    """Keep requesting `path` from every server in the background, as visitors would."""
    stop = threading.Event()
    done = Counter()

    def visit(server: Server):
        deadline = time.monotonic() + limit
        while not stop.is_set() and time.monotonic() < deadline and done[server.name] < max_requests:
            with contextlib.suppress(OSError):
                server.get(path, label="traffic")
            done[server.name] += 1

    threads = [threading.Thread(target=visit, args=(server,), daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    try:
        yield done
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
