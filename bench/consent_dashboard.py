"""The consent dashboard's queries on 1 million records, on PostgreSQL.

A throw-away database gets the schema (migrate) and N consent records spread over a year
(generated in SQL: 30 countries, US states, 4 languages, every source and decision; the
append-only triggers are switched off for the load only, then VACUUM ANALYZE as autovacuum
would). Reported:

* the one-off count of every complete week (what the daily task does a week at a time);
* cookies.dashboard.report(), everything the dashboard page and its CSV read, for the
  default period (the last 12 weeks), the whole year, and the year filtered by a region
  and by a language: the best of 3 after one warm-up run.

Target (issue 13): under a second each on 1 million records.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PY, ROOT
from consent_post import postgres_database

TARGET_SECONDS = 1.0

LOAD = """
INSERT INTO cookies_consentrecord (consent_id, created_at, source, decision, groups, policy_version,
    jurisdictions, location_source, country, subdivision, shown, consent_model, gpc, language,
    user_agent, ip_prefix)
SELECT md5(i::text),
       now() - (random() * interval '365 days'),
       (ARRAY['banner','banner','banner','banner','banner','banner','settings','settings','gpc',
              'withdrawal'])[1 + (i % 10)],
       (ARRAY['accepted-all','accepted-all','accepted-all','rejected-all','rejected-all',
              'partial'])[1 + ((i / 10) % 6)],
       '{"necessary": {"accepted": true, "version": "", "required": true},
         "analytics": {"accepted": true, "version": "x"}}'::jsonb,
       DATE '2025-09-02',
       'eea-uk', 'header',
       c.country,
       CASE WHEN c.country = 'US'
            THEN (ARRAY['US-CA','US-CO','US-TX','US-VA','US-NY','US-FL','US-OR',''])[1 + ((i / 7) % 8)]
            ELSE '' END,
       'eea-uk',
       'opt-in',
       (i % 10) = 8,
       (ARRAY['en','en','en','ko','ja','zh-hans'])[1 + ((i / 3) % 6)],
       'Mozilla/5.0 (bench)',
       '203.0.113.0/24'
FROM generate_series(1, %(rows)s) AS i
CROSS JOIN LATERAL (
    SELECT (ARRAY['DE','FR','US','US','US','GB','KR','JP','CN','IT','ES','NL','BR','IN','AU','CA','PL','SE',
                  'CH','MX','PH','SG','TW','IE','AT','BE','DK','FI','NO','PT'])[1 + ((i * 7 + i / 5) % 30)] AS country
) AS c
"""


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "privacy_site.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def timed(function, repeat: int = 3) -> tuple[float, object]:
    function()  # warm-up: plans, caches
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="server on which a throw-away database is created",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (print its URL) to study plans")
    args = parser.parse_args()
    try:
        url, drop = postgres_database(args.postgres)
    except Exception as error:
        print(f"consent dashboard: PostgreSQL not available ({error}); skipped")
        return 0
    try:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "privacy_site.settings.test"}
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        django_setup(url)
        from django.db import connection
        from django.utils import timezone

        from cookies import dashboard, services

        start = time.perf_counter()
        with connection.cursor() as cursor:
            # For the load only (a throw-away database): the row triggers cost more than the insert.
            cursor.execute("ALTER TABLE cookies_consentrecord DISABLE TRIGGER USER")
            cursor.execute(LOAD.replace("%", "%%").replace("%%(rows)s", "%(rows)s"), {"rows": args.rows})
            cursor.execute("ALTER TABLE cookies_consentrecord ENABLE TRIGGER USER")
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE cookies_consentrecord")
        loaded = time.perf_counter() - start
        print(f"\nconsent dashboard: {args.rows:,} records loaded in {loaded:.1f}s (PostgreSQL)")

        start = time.perf_counter()
        weeks = services.consent_weeks_count()
        print(f"  every complete week counted once: {weeks} weeks in {time.perf_counter() - start:.1f}s (one-off)")

        today = timezone.now().date()
        this_week = dashboard.monday(today)
        twelve = this_week - datetime.timedelta(weeks=11)
        year = dashboard.monday(today - datetime.timedelta(days=366))
        cases = [
            ("last 12 weeks (the default)", dashboard.Filters(first_week=twelve, last_week=this_week)),
            ("whole year", dashboard.Filters(first_week=year, last_week=this_week)),
            ("whole year, region US-CO", dashboard.Filters(first_week=year, last_week=this_week, region="US-CO")),
            ("whole year, language ko", dashboard.Filters(first_week=year, last_week=this_week, language="ko")),
        ]
        ok = True
        results = []
        for label, filters in cases:
            seconds, report = timed(lambda filters=filters: dashboard.report(filters))
            counted = report.overall.total
            results.append(seconds)
            ok = ok and seconds < TARGET_SECONDS
            print(f"  {label:<32} {seconds * 1000:7.0f} ms  ({counted:,} records counted)")
        print(
            f"  slowest {max(results) * 1000:.0f} ms, median {statistics.median(results) * 1000:.0f} ms; "
            f"target under {TARGET_SECONDS:.0f} s each: {'met' if ok else 'MISSED'}"
        )
        connection.close()
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            drop()


if __name__ == "__main__":
    sys.exit(main())
