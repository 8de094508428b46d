"""Policy page against a static file of the same size, on the same gunicorn, in one run.

gunicorn (2 workers of gunicorn.conf.py's class, asgi unless GUNICORN_WORKER_CLASS says
otherwise, asgi with a socket per worker; prod settings, whitenoise) serves both; wrk
generates the load,
every request accepting gzip. Geolocation is on: a MaxMind database built for the run
(GEOIP_PATH), one trusted proxy, and visitors from ten regions through X-Forwarded-For
(spread.lua). Two comparisons (issue 15):

* first visit: wrk sends no cookies, so every response carries the consent banner with a
  new CSRF secret and token and sets the CSRF cookie, gzipped; against the same bytes as a
  static file with its .gz beside it, which whitenoise serves. Target >= 0.8.
* returning visitor: the consent cookies of a "Reject all" and the page's ETag in
  If-None-Match, so every answer is a 304; against a 304 for the static file. Target >= 0.9.

Each round also measures robots.txt, a view with no work through the same middleware stack,
against both static figures: the most any page through that stack could reach (no target).
"""

import argparse
import gzip
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import ROOT, free_port, prepare_site, prod_env, start_gunicorn, wait_ready

sys.path.insert(0, str(ROOT))

from tests.fixtures import mmdb

SPREAD = Path(__file__).resolve().parent / "spread.lua"
TARGETS = {"first visit": 0.8, "returning (304)": 0.9}
RETURNING_ADDRESS = "2.0.1.10"  # Germany: opt-in, so the choice is a real refusal
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CONTEXT_RE = re.compile(rb'name="context" value="([^"]+)"')


def fetch(url: str, forwarded_for: str = "2.0.9.10") -> bytes:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": forwarded_for})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def head_etag(port: int, path: str, headers: dict) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip", **headers})
        response = connection.getresponse()
        response.read()
        etag = response.getheader("ETag")
    finally:
        connection.close()
    if not etag:
        raise SystemExit(f"no ETag on {path}")
    return etag


def returning_visitor(port: int, path: str) -> str:
    """Load the page, post "Reject all" from its banner; return the Cookie header a browser sends."""
    cookies: dict[str, str] = {}

    def request(method, target, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        headers = {"X-Forwarded-For": RETURNING_ADDRESS, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    cookies[key] = rest.split(";", 1)[0]
            return data
        finally:
            connection.close()

    page = request("GET", path)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": TOKEN_RE.search(page)[1].decode(),
            "all_groups": "on",
            "next": path,
            "context": CONTEXT_RE.search(page)[1].decode(),
        }
    )
    request("POST", path.split("/privacy/")[0] + "/cookies/decline/", form)
    return "; ".join(f"{k}={v}" for k, v in cookies.items() if v)


def wrk(url: str, *, seconds: int, connections: int, threads: int, env: dict | None = None) -> dict:
    run = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(SPREAD), url],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if run.returncode:
        raise SystemExit(f"wrk failed on {url}: {run.stdout}{run.stderr}")
    out = run.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    transfer = re.search(r"Transfer/sec:\s+([\d.]+\w+)", out)
    return {
        "rps": rps,
        "transfer": transfer[1] if transfer else "?",
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "non2xx": int(errors[1]) if errors else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating static/policy rounds")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--path", default="/en/privacy/")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="privacy-bench-"))
    port = free_port()
    env = prod_env(
        work=work,
        port=port,
        database_url=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}"),
        GEOIP_PATH=str(mmdb.build(work / "GeoIP2-City.mmdb")),
        TRUSTED_PROXY_COUNT="1",
        # No recycling mid-measurement: at 1,000 requests/s a worker would restart every
        # ~10 s (max_requests), taking one of the two out for a second in whichever
        # measurement happens to be running, static or policy.
        GUNICORN_MAX_REQUESTS="0",
    )
    if os.environ.get("GUNICORN_WORKER_CLASS", "asgi") == "asgi":
        # A socket per worker, which the kernel balances. On the shared socket the asyncio
        # worker that wakes first accepts every connection waiting, so wrk's keep-alive
        # connections often all went to one worker and each round measured that lottery
        # (rounds 0.2-1.2). make run keeps the shared socket (README, Speed: with reuse_port,
        # requests fail when a worker restarts, and the bench restarts none).
        env["GUNICORN_CMD_ARGS"] = "--reuse-port"
    prepare_site(env)
    server = start_gunicorn(env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/healthz")
        page = fetch(base + args.path)
        # The baseline: the same bytes as a static file, with its gzip beside it (as
        # collectstatic makes them), served by whitenoise from the same workers.
        static_file = work / "static" / "bench-same-size.html"
        static_file.write_bytes(page)
        Path(f"{static_file}.gz").write_bytes(gzip.compress(page, compresslevel=9, mtime=0))
        server.send_signal(1)  # HUP: workers restart and whitenoise indexes the new file
        time.sleep(2)
        wait_ready(base + "/static/bench-same-size.html")
        for _ in range(4):  # warm every worker's cache for every region
            for address in (
                "2.0.9.10",
                "2.0.1.10",
                "2.0.2.10",
                "2.0.5.10",
                "2.0.6.10",
                "2.0.4.10",
                "2.0.8.10",
                "2.0.10.10",
                "2001:db8:1::10",
                "3.3.3.3",
            ):
                fetch(base + args.path, address)
        cookie = returning_visitor(port, args.path)
        pinned = {"X-Forwarded-For": RETURNING_ADDRESS}
        page_etag = head_etag(port, args.path, {**pinned, "Cookie": cookie})
        static_etag = head_etag(port, "/static/bench-same-size.html", pinned)
        pinned_env = {"BENCH_ADDRESS": RETURNING_ADDRESS}
        returning = {**pinned_env, "BENCH_COOKIE": cookie}
        pairs = {
            "first visit": (
                ("/static/bench-same-size.html", {}),
                (args.path, {}),
            ),
            "returning (304)": (
                ("/static/bench-same-size.html", {**pinned_env, "BENCH_IF_NONE_MATCH": static_etag}),
                (args.path, {**returning, "BENCH_IF_NONE_MATCH": page_etag}),
            ),
        }
        # Alternate the measurements so that a change in background load hits both, and
        # report the median round of each comparison.
        load = {"seconds": args.seconds, "connections": args.connections, "threads": args.threads}
        rounds: dict[str, list] = {name: [] for name in pairs}
        floor: list = []
        for _ in range(args.rounds):
            for name, ((static_path, static_env), (page_path, page_env)) in pairs.items():
                static = wrk(base + static_path, env=static_env, **load)
                policy = wrk(base + page_path, env=page_env, **load)
                rounds[name].append((policy["rps"] / static["rps"], static, policy))
            # No target: what a view with no work gets through the same full middleware stack
            # (robots.txt, first-visit requests), against this round's static file. It shows how
            # much of the gap is the stack and how much the policy page's own per-visitor work.
            empty = wrk(base + "/robots.txt", **load)
            floor.append(
                (
                    empty["rps"] / rounds["first visit"][-1][1]["rps"],
                    empty["rps"] / rounds["returning (304)"][-1][1]["rps"],
                    empty,
                )
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\npolicy page vs a static file of the same size ({len(page):,} bytes; gzip accepted)")
    worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "asgi")
    print(f"gunicorn, 2 {worker_class} workers, prod settings, GeoIP on, 10 regions via X-Forwarded-For; wrk")
    failed = False
    floor.sort(key=lambda r: r[0])
    first, revalidated, empty = floor[len(floor) // 2]
    print(
        f"for reference, an empty view through the full middleware stack (robots.txt): {empty['rps']:.1f} req/s,"
        f" {first:.2f}x the static file and {revalidated:.2f}x its 304"
        f" (rounds {', '.join(f'{r[0]:.2f}/{r[1]:.2f}' for r in floor)}); no page through the stack can beat it"
    )
    for name, measured in rounds.items():
        measured.sort(key=lambda r: r[0])
        ratio, static, policy = measured[len(measured) // 2]
        target = TARGETS[name]
        print(f"{name}: ratios per round {', '.join(f'{r[0]:.2f}' for r in measured)}")
        for label, figures in (("static", static), ("policy", policy)):
            print(
                f"  {label:<7} {figures['rps']:>9.1f} req/s  p50 {figures['p50']}  p99 {figures['p99']}"
                f"  {figures['transfer']}/s"
            )
        verdict = "OK" if ratio >= target else "BELOW TARGET"
        print(f"  ratio   {ratio:.2f}  (target >= {target})  {verdict}")
        if policy["non2xx"] or static["non2xx"]:
            print(f"  non-2xx/3xx responses: policy {policy['non2xx']}, static {static['non2xx']}")
            failed = True
        failed |= ratio < target
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
