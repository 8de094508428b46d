"""Policy page against a static file of the same size, on the same gunicorn, in one run.

gunicorn (2 sync workers, prod settings, whitenoise) serves both; wrk generates the load.
Geolocation is on: a MaxMind database built for the run (GEOIP_PATH), one trusted proxy,
and requests spread over visitors from ten regions through X-Forwarded-For (spread.lua).
Target (DESIGN.md §6): the policy page reaches at least half the static file's requests/s.
wrk sends no cookies, so every request is a first visit: the consent banner is spliced in
with a new CSRF secret and token, and the CSRF cookie is set.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, free_port, prepare_site, prod_env, start_gunicorn, wait_ready

sys.path.insert(0, str(ROOT))

from tests.fixtures import mmdb

SPREAD = Path(__file__).resolve().parent / "spread.lua"
TARGET = 0.5


def fetch(url: str, forwarded_for: str = "2.0.9.10") -> bytes:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": forwarded_for})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def wrk(url: str, *, seconds: int, connections: int, threads: int) -> dict:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(SPREAD), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
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
    )
    prepare_site(env)
    server = start_gunicorn(env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base + "/healthz")
        page = fetch(base + args.path)
        # The baseline: the same bytes as a static file, served by whitenoise from the same workers.
        (work / "static" / "bench-same-size.html").write_bytes(page)
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
        # Alternate the two measurements so that a change in background load hits both,
        # and report the median round.
        load = {"seconds": args.seconds, "connections": args.connections, "threads": args.threads}
        rounds = []
        for _ in range(args.rounds):
            static = wrk(base + "/static/bench-same-size.html", **load)
            policy = wrk(base + args.path, **load)
            rounds.append((policy["rps"] / static["rps"], static, policy))
        rounds.sort(key=lambda r: r[0])
        ratio, static, policy = rounds[len(rounds) // 2]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nratios per round: {', '.join(f'{r[0]:.2f}' for r in sorted(rounds, key=lambda r: r[0]))}")
    print(f"policy page vs a static file of the same size ({len(page):,} bytes)")
    print("gunicorn, 2 sync workers, prod settings, GeoIP on, 10 regions via X-Forwarded-For; wrk")
    for label, path, figures in (
        ("static", "/static/bench-same-size.html", static),
        ("policy", args.path, policy),
    ):
        print(f"  {label:<7} {path:<32} {figures['rps']:>9.1f} req/s  p50 {figures['p50']}  p99 {figures['p99']}")
    verdict = "OK" if ratio >= TARGET else "BELOW TARGET"
    print(f"  ratio   {ratio:.2f}  (target >= {TARGET})  {verdict}")
    if policy["non2xx"] or static["non2xx"]:
        print(f"  non-2xx responses: policy {policy['non2xx']}, static {static['non2xx']}")
        return 1
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
