"""A change notice to 100,000 subscribers against a plain smtplib loop, in one run.

Both send through the same aiosmtpd server on loopback (its own process). The campaign runs
the real path: `import_policy --publish` queues it, `manage.py db_worker --batch` sends it
(claims, one SMTP connection per batch, a commit per message). The baseline is the least a
sender can do: one connection, the same messages pre-rendered once per language, sendmail
in a loop. Peak memory (max RSS of each process) is measured at 10,000 and 100,000
subscribers to show it stays flat. Target (DESIGN.md §6): the campaign reaches at least half
the plain loop's emails per second.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PY, ROOT, free_port

TARGET = 0.5
LANGUAGES = ["en", "ko", "zh-hans", "ja"]


def address(i: int) -> str:
    return f"reader{i}@example.com"


def run_measured(command, env) -> tuple[float, int, str]:
    """Run a process; return its wall time, its own peak RSS in MiB, and its stdout."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = process.stdout.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[2:4]} failed")
    return elapsed, usage.ru_maxrss // 1024, out


class Sink:
    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [PY, "bench/smtp_sink.py", "--port", str(self.port)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> dict:
        self.process.terminate()
        out, _ = self.process.communicate(timeout=60)
        return json.loads(out)


def prepare(env, work: Path, count: int) -> None:
    """A fresh database with `count` subscribers and a published material version (queued)."""
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "bench/campaign.py", "subscribers", "--count", str(count)], cwd=ROOT, env=env, check=True)
    effective = datetime.date.today() + datetime.timedelta(days=60)
    policy = work / f"{effective}.md"
    policy.write_text(
        f"---\neffective_date: {effective}\nmaterial: true\n"
        "summary: We keep server logs for 30 days instead of 90, and name our new processors.\n---\n\n"
        "Preamble.\n\n## A. LOGS {#logs}\n\nWe keep server logs for 30 days.\n",
        encoding="utf-8",
    )
    subprocess.run(
        [PY, "manage.py", "import_policy", str(policy), "--publish"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def make_subscribers(count: int) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from subscriptions.models import Subscriber

    now = timezone.now()
    for start in range(0, count, 5000):
        Subscriber.objects.bulk_create(
            Subscriber(email=address(i), email_key=address(i), language=LANGUAGES[i % 4], confirmed_at=now)
            for i in range(start, min(count, start + 5000))
        )


def plain_loop(count: int, port: int) -> None:
    """The baseline: the campaign's message, rendered once per language, sent in a loop."""
    import smtplib

    import django

    django.setup()
    from subscriptions.emails import NoticeComposer
    from subscriptions.links import unsubscribe_link_issue
    from subscriptions.models import Campaign, Delivery, Subscriber

    campaign = Campaign.objects.select_related("version").get()
    composer = NoticeComposer(campaign)
    prepared = {}
    for subscriber in Subscriber.objects.filter(pk__lte=4):
        token = unsubscribe_link_issue(subscriber_id=subscriber.pk)
        message = composer.message(Delivery(campaign=campaign, subscriber=subscriber), unsubscribe_token=token)
        prepared[subscriber.language] = (message.from_email, message.message().as_bytes(linesep="\r\n"))
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(count):
            sender, body = prepared[LANGUAGES[i % 4]]
            smtp.sendmail(sender, [address(i)], body)
    print(json.dumps({"seconds": time.monotonic() - started}))


def campaign_round(work: Path, count: int) -> dict:
    db = work / f"bench-{count}.sqlite3"
    sink = Sink()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "SUBSCRIPTIONS_"))},
        "DJANGO_SETTINGS_MODULE": "privacy_site.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{db}"),
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "LOG_LEVEL": "WARNING",
    }
    try:
        prepare(env, work, count)
        _wall, plain_rss, out = run_measured(
            [PY, "bench/campaign.py", "plain", "--count", str(count), "--port", str(sink.port)], env
        )
        plain_seconds = json.loads(out)["seconds"]
        plain_counts = sink.stop()
        sink = Sink()
        env["EMAIL_URL"] = f"smtp://127.0.0.1:{sink.port}"
        worker_seconds, worker_rss, _ = run_measured(
            [PY, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay", "-v0"], env
        )
    finally:
        campaign_counts = sink.stop()
    return {
        "count": count,
        "plain": {"seconds": plain_seconds, "rss": plain_rss, **plain_counts},
        "campaign": {"seconds": worker_seconds, "rss": worker_rss, **campaign_counts},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", default="bench", choices=["bench", "subscribers", "plain"])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # the helper modes import the project
    if args.mode == "subscribers":
        make_subscribers(args.count)
        return 0
    if args.mode == "plain":
        plain_loop(args.count, args.port)
        return 0

    work = Path(tempfile.mkdtemp(prefix="privacy-campaign-bench-"))
    try:
        rounds = [campaign_round(work, count) for count in (args.small, args.count)]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nchange notice campaign vs a plain smtplib loop (same aiosmtpd server on loopback, SQLite)")
    ok = True
    for result in rounds:
        n = result["count"]
        plain, campaign = result["plain"], result["campaign"]
        plain_rate = n / plain["seconds"]
        campaign_rate = n / campaign["seconds"]
        print(
            f"  {n:>7,} subscribers  plain loop {plain_rate:7.0f} emails/s (peak {plain['rss']} MiB)"
            f"   campaign {campaign_rate:7.0f} emails/s in {campaign['seconds']:.1f}s"
            f" (peak {campaign['rss']} MiB, incl. worker start-up and listing recipients)"
            f"   ratio {campaign_rate / plain_rate:.2f}"
        )
        exact = campaign["transactions"] == campaign["distinct"] == n
        print(f"           received {campaign['transactions']:,} messages, {campaign['distinct']:,} distinct")
        ok = ok and exact
    small, large = rounds
    growth = large["campaign"]["rss"] - small["campaign"]["rss"]
    ratio = (large["count"] / large["campaign"]["seconds"]) / (large["count"] / large["plain"]["seconds"])
    print(
        f"  memory: campaign peak {small['campaign']['rss']} MiB at {small['count']:,}, "
        f"{large['campaign']['rss']} MiB at {large['count']:,} "
        f"(+{growth} MiB for {large['count'] // small['count']}x the subscribers)"
    )
    verdict = "OK" if ratio >= TARGET else "BELOW TARGET"
    print(f"  ratio   {ratio:.2f}  (target >= {TARGET})  {verdict}")
    if not ok:
        print("  ERROR: the sink did not receive exactly one message per subscriber")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
