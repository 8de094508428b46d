"""Consent choices posted by concurrent clients, on SQLite and PostgreSQL, in one run.

gunicorn (2 workers, gunicorn.conf.py's class; prod settings) serves the site; each client thread first loads a
page as a browser would (CSRF cookie and token), then posts "Accept all" / "Reject all"
from the banner form without JavaScript, as fast as it can. Reported per database:

* records/s: successful consent POSTs per second (each one appends a ConsentRecord);
* the baseline: the same clients against GET /healthz (one database round trip), so the
  ratio says what a consent choice costs compared to the cheapest request that reaches
  the database;
* records in the database == successful POSTs (none lost, none extra).

Target (DESIGN.md §6): hundreds of records per second on SQLite, none lost.
"""

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PY, ROOT, free_port, prepare_site, prod_env, start_gunicorn, wait_ready

TARGET_RECORDS_PER_SECOND = 200
COUNT_RECORDS = "from cookies.models import ConsentRecord as R; print(R.objects.count())"
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """One browser: a cookie jar and a fresh connection per request (sync workers close them)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            connection.close()


def run_clients(port: int, clients: int, each: int, work) -> tuple[int, int, float]:
    """Run `work(client, i)` each times in every client thread; return (ok, failed, seconds)."""
    prepared = [Client(port) for _ in range(clients)]
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def loop(client):
        ok = failed = 0
        barrier.wait()
        for i in range(each):
            try:
                success = work(client, i)
            except OSError:
                success = False
            ok += success
            failed += not success
        with lock:
            counts["ok"] += ok
            counts["failed"] += failed

    threads = [threading.Thread(target=loop, args=(client,)) for client in prepared]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return counts["ok"], counts["failed"], time.perf_counter() - started


def healthz(client: Client, i: int) -> bool:
    return client.request("GET", "/healthz")[0] == 200


def consent(client: Client, i: int) -> bool:
    if "token" not in client.__dict__:
        _status, page = client.request("GET", "/en/privacy/")
        client.token = TOKEN_RE.search(page)[1].decode()
    action = "accept" if i % 2 == 0 else "decline"
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": client.token,
            "all_groups": "on",
            "source": "banner",
            "next": "/en/privacy/",
            "shown": "eea-uk",
        }
    )
    return client.request("POST", f"/en/cookies/{action}/", body)[0] == 303


def count_records(env: dict) -> int:
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", COUNT_RECORDS],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip().splitlines()[-1])


def postgres_database(url: str):
    """Create a database of our own on the server in `url`; return (its URL, a drop function)."""
    import psycopg

    name = f"privacy_bench_{os.getpid()}"
    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), drop


def bench_one(label: str, database_url: str, work_dir: Path, args) -> dict:
    port = free_port()
    env = prod_env(work=work_dir, port=port, database_url=database_url)
    prepare_site(env)
    server = start_gunicorn(env)
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        run_clients(port, 2, 20, healthz)  # warm both workers
        base_ok, base_failed, base_seconds = run_clients(port, args.clients, args.requests, healthz)
        ok, failed, seconds = run_clients(port, args.clients, args.requests, consent)
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = count_records(env)
    return {
        "label": label,
        "baseline": base_ok / base_seconds,
        "baseline_failed": base_failed,
        "rate": ok / seconds,
        "ok": ok,
        "failed": failed,
        "stored": stored,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=150, help="requests per client")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="server on which a throw-away database is created ('' to skip PostgreSQL)",
    )
    args = parser.parse_args()

    results = []
    work = Path(tempfile.mkdtemp(prefix="privacy-bench-consent-"))
    try:
        results.append(bench_one("SQLite", f"sqlite:///{work / 'bench.sqlite3'}", work, args))
        if args.postgres:
            try:
                url, drop = postgres_database(args.postgres)
            except Exception as error:  # any reason: report it and go on
                print(f"PostgreSQL skipped: {error}")
            else:
                try:
                    results.append(bench_one("PostgreSQL", url, work, args))
                finally:
                    drop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nconsent POSTs vs GET /healthz, {args.clients} concurrent clients x {args.requests} requests")
    worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "asgi")
    print(f"gunicorn, 2 {worker_class} workers, prod settings; Python clients on loopback, no JavaScript (303)")
    healthy = True
    for r in results:
        lost = r["ok"] != r["stored"]
        print(
            f"  {r['label']:<11} healthz {r['baseline']:>8.1f} req/s   consent {r['rate']:>7.1f} records/s"
            f"   ratio {r['rate'] / r['baseline']:.2f}"
        )
        print(
            f"  {'':<11} POSTs ok {r['ok']}, failed {r['failed']}; records in the database {r['stored']}"
            f"  {'MISMATCH' if lost else 'equal'}"
        )
        verdict = "OK" if r["rate"] >= TARGET_RECORDS_PER_SECOND else "BELOW TARGET"
        print(f"  {'':<11} target >= {TARGET_RECORDS_PER_SECOND} records/s  {verdict}")
        healthy &= not lost and not r["failed"] and not r["baseline_failed"] and verdict == "OK"
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
