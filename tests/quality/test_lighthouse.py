"""Lighthouse on the policy and the cookie page, as a first-time visitor gets them from production.

The site runs as `make run` would in production: prod settings (compressed HTML, CSP, Secure
`__Host-` cookies) under gunicorn, on a fresh SQLite database of its own. Only the HTTPS
redirect is off: Lighthouse speaks plain HTTP to http://localhost, which Chromium treats as a
secure origin, so the Secure cookies are set as they would be over HTTPS. Every run starts
with a fresh browser profile: no cookies, the consent banner on the page.

Each page, desktop and mobile: SEO at least 95, accessibility and best practices 100, and no
"enable text compression" finding. A failure names each failing audit by id and title.
"""

import concurrent.futures
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.multiprocess.conftest import Server, free_port, gunicorn_argv, prepare_site, site_env

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("/en/privacy/", "/ko/privacy/", "/en/cookies/")
FORMS = ("desktop", "mobile")
MINIMUM = {"seo": 0.95, "accessibility": 1.0, "best-practices": 1.0}
RUN_TIMEOUT = 150  # seconds for one Lighthouse run on a loaded machine
# A run whose own recording failed (NO_NAVSTART and such: an audit "errored", not failed) says
# nothing about the page, so it is repeated, at most this many times in all.
ATTEMPTS = 3
PARALLEL = 3  # Lighthouse runs at once, each with its own Chromium


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """The site under prod settings (two gunicorn workers) on a free loopback port."""
    work = tmp_path_factory.mktemp("lighthouse-site")
    port = free_port()
    env = site_env(work=work, database_url=f"sqlite:///{work / 'site.sqlite3'}")
    env.pop("DJANGO_DEBUG")
    env.update(
        DJANGO_SETTINGS_MODULE="privacy_site.settings.prod",
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback, as bench/ does
        SITE_URL="https://privacy.example.com",  # prod requires an explicit https:// one
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    prepare_site(env)
    log_path = work / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            gunicorn_argv(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server("lighthouse", port, 2, process, log_path, work / "access.log")
    try:
        server.wait_healthy()
        yield f"http://localhost:{port}"
    finally:
        server.stop()


def run_lighthouse(lighthouse: str, chromium: str, url: str, form: str, out: Path) -> dict:
    for _attempt in range(ATTEMPTS):
        report = run_once(lighthouse, chromium, url, form, out)
        if not lighthouse_errors(report):
            break
    return report


def lighthouse_errors(report: dict) -> list[str]:
    """What Lighthouse itself failed to do: audit the page, or run an audit we read."""
    if report.get("runtimeError"):
        return [f"Lighthouse could not audit the page: {report['runtimeError'].get('message')}"]
    audits = report["audits"]
    ids = {ref["id"] for name in MINIMUM for ref in report["categories"][name]["auditRefs"]} | {"uses-text-compression"}
    return [
        f"{audit} ({audits[audit]['title']}) could not run: {audits[audit].get('errorMessage')}"
        for audit in sorted(ids)
        if audits[audit]["scoreDisplayMode"] == "error"
    ]


def run_once(lighthouse: str, chromium: str, url: str, form: str, out: Path) -> dict:
    out.unlink(missing_ok=True)
    command = [
        "node",
        lighthouse,
        url,
        *(["--preset=desktop"] if form == "desktop" else []),
        f"--only-categories={','.join(MINIMUM)}",
        "--only-audits=uses-text-compression",  # a performance audit: the only one run from there
        "--chrome-flags=--headless=new --no-sandbox",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": chromium}
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return {"runtimeError": {"message": f"lighthouse did not finish in {RUN_TIMEOUT}s"}}
    if done.returncode or not out.exists():
        return {"runtimeError": {"message": f"lighthouse exited {done.returncode}: {done.stderr.strip()[-500:]}"}}
    return json.loads(out.read_text(encoding="utf-8"))


def problems(report: dict) -> list[str]:
    """Each category under its minimum with its failing audits, and a text compression finding."""
    found = lighthouse_errors(report)
    if report.get("runtimeError"):
        return found
    audits = report["audits"]
    for name, minimum in MINIMUM.items():
        category = report["categories"][name]
        score = category["score"]
        failing = [
            f"{ref['id']} ({audits[ref['id']]['title']})"
            for ref in category["auditRefs"]
            if ref["weight"] and audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 1
        ]
        if score is None or score < minimum:
            shown = "none" if score is None else round(score * 100)
            found.append(f"{name} {shown} < {round(minimum * 100)}: {'; '.join(failing) or 'no scored audit failed'}")
    compression = audits["uses-text-compression"]
    if compression.get("details", {}).get("items"):
        items = [item.get("url") for item in compression["details"]["items"]]
        found.append(f"uses-text-compression ({compression['title']}): {', '.join(items)}")
    return found


def test_lighthouse_scores_for_a_first_visit(production_site, lighthouse, chromium, tmp_path):
    runs = [(path, form) for path in PAGES for form in FORMS]
    with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        reports = pool.map(
            lambda run: run_lighthouse(
                lighthouse,
                chromium,
                production_site + run[0],
                run[1],
                tmp_path / f"{run[0].strip('/').replace('/', '-')}-{run[1]}.json",
            ),
            runs,
        )
        failures = [
            f"{path} {form}: {problem}"
            for (path, form), report in zip(runs, reports, strict=True)
            for problem in problems(report)
        ]
    assert not failures, "Lighthouse:\n" + "\n".join(failures)
