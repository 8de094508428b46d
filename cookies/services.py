"""Every write of the cookies app: consent records, pruning them, and the launch groups."""

import datetime
import logging
from dataclasses import dataclass

from cookie_consent.models import Cookie, CookieGroup
from django.db import DatabaseError, transaction
from django.db.models import Count
from django.utils import timezone

from core import cache

from . import dashboard, launch
from .models import (
    ConsentModeMapping,
    ConsentRecord,
    ConsentRule,
    ConsentWeeklyCount,
    CookieDetail,
    PruneGrant,
)
from .selectors import Catalogue

logger = logging.getLogger(__name__)

PRUNE_BATCH = 5000


@dataclass(frozen=True)
class Visitor:
    """Where a choice came from, already reduced to what a record may keep."""

    jurisdictions: tuple[str, ...]  # whose law applies where the visitor is
    location_source: str
    country: str
    subdivision: str
    shown: tuple[str, ...]  # the addenda the page showed
    consent_model: str
    gpc: bool
    language: str
    user_agent: str
    ip_prefix: str


def summarise(decisions: dict[str, bool | None]) -> str:
    values = set(decisions.values())
    if values == {True}:
        return ConsentRecord.Decision.ACCEPTED_ALL
    if values == {False}:
        return ConsentRecord.Decision.REJECTED_ALL
    return ConsentRecord.Decision.PARTIAL


def consent_record(
    *,
    consent_id: str,
    decisions: dict[str, bool | None],
    source: str,
    groups: Catalogue,
    visitor: Visitor,
    policy_version: datetime.date | None,
    at: datetime.datetime | None = None,
) -> ConsentRecord:
    """Append the proof of one choice: every group with its decision and version."""
    if groups.stand_in:
        # The groups could not be read, so neither the groups in force nor their versions are
        # known: a record now would prove a notice nobody was shown. Fail as the database did
        # (the choice view answers 503 and sets nothing; a GPC signal is recorded on a later page).
        raise DatabaseError("cookie groups unavailable: a choice is not recorded against the stand-in groups")
    per_group = {}
    for group in groups.groups:
        accepted = True if group.required else decisions.get(group.varname)
        per_group[group.varname] = {"accepted": accepted, "version": group.version}
        if group.required:
            per_group[group.varname]["required"] = True
    return ConsentRecord.objects.create(
        consent_id=consent_id,
        created_at=at or timezone.now(),
        source=source,
        decision=summarise({g.varname: decisions.get(g.varname) for g in groups.optional}),
        groups=per_group,
        policy_version=policy_version,
        jurisdictions=",".join(visitor.jurisdictions)[:100],
        location_source=visitor.location_source[:20],
        country=visitor.country,
        subdivision=visitor.subdivision,
        shown=",".join(visitor.shown)[:100],
        consent_model=visitor.consent_model,
        gpc=visitor.gpc,
        language=visitor.language[:10],
        user_agent=visitor.user_agent,
        ip_prefix=visitor.ip_prefix,
    )


def consents_prune(*, older_than: datetime.timedelta, batch: int = PRUNE_BATCH) -> int:
    """Delete records older than the given age, in batches; return how many went.

    Each batch runs in its own transaction holding a PruneGrant, the only thing the
    database triggers accept as a reason to delete a consent record; the grant must be
    deleted before the commit, which the database refuses while one exists.
    """
    cutoff = timezone.now() - older_than
    total = 0
    while True:
        with transaction.atomic():
            grant = PruneGrant.objects.create(cutoff=cutoff)
            ids = list(ConsentRecord.objects.older_than(cutoff).order_by("pk").values_list("pk", flat=True)[:batch])
            if ids:
                deleted, _ = ConsentRecord.objects.filter(pk__in=ids)._delete_pruned()
                total += deleted
            grant.delete()
        if len(ids) < batch:
            return total


def consent_weeks_count(*, now: datetime.datetime | None = None, first_week: datetime.date | None = None) -> int:
    """Count every complete week that has no counts yet; return how many weeks were added.

    Idempotent and safe to run in several processes at once: a complete week's records never
    change (they are only ever pruned, after the daily task has counted their week, so the
    counts outlive them), and a second writer's identical rows are ignored. A retention
    shorter than a week, or a manual prune of the current week, loses those records from the
    counts too.
    """
    now = now or timezone.now()
    last = dashboard.monday(now.date()) - dashboard.WEEK
    oldest = ConsentRecord.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return 0
    week = max(dashboard.monday(oldest.date()), first_week or datetime.date.min)
    done = set(
        ConsentWeeklyCount.objects.filter(week__gte=week, week__lte=last).values_list("week", flat=True).distinct()
    )
    added = 0
    while week <= last:
        if week not in done:
            _count_week(week)
            added += 1
        week += dashboard.WEEK
    return added


def _count_week(week: datetime.date) -> None:
    start = dashboard.week_start(week)
    counts = [
        ConsentWeeklyCount(week=week, region=region or "", language=language, source=source, outcome=outcome, count=n)
        for region, language, source, outcome, n in dashboard.records_of(start, start + dashboard.WEEK)
        .values_list("region", "language", "source", "outcome")
        .annotate(n=Count("*"))
    ] or [ConsentWeeklyCount(week=week, count=0)]
    ConsentWeeklyCount.objects.bulk_create(counts, ignore_conflicts=True, batch_size=2000)


@dataclass(frozen=True)
class LoadResult:
    groups_created: int
    cookies_created: int
    rules_created: int = 0


def consent_rules_load(entries: list[dict] | None = None) -> int:
    """Create the launch consent rules that are missing (by code); never change an edited one.

    A launch rule whose places another rule already claims is left out, so an editor who
    moved a place keeps it where they put it.
    """
    entries = launch.consent_rules() if entries is None else entries
    existing = {rule.code: rule for rule in ConsentRule.objects.all()}
    claimed = {code for rule in existing.values() for code in rule.place_codes}
    has_fallback = any(not rule.place_codes for rule in existing.values())
    created = 0
    for entry in entries:
        if entry["code"] in existing:
            continue
        rule = ConsentRule(**entry)
        codes = set(rule.place_codes)
        if codes & claimed or (not codes and has_fallback):
            continue
        rule.save()
        claimed |= codes
        has_fallback = has_fallback or not codes
        created += 1
    return created


def cookie_groups_load(entries: list[dict] | None = None) -> LoadResult:
    """Create the launch groups, cookies, Consent Mode mappings and consent rules that are
    missing; never overwrite an editor's text."""
    entries = launch.groups() if entries is None else entries
    groups_created = cookies_created = 0
    with transaction.atomic():
        rules_created = consent_rules_load()
        for entry in entries:
            group, created = CookieGroup.objects.get_or_create(
                varname=entry["varname"],
                defaults={
                    "name": entry["name"],
                    "description": entry["description"],
                    "is_required": entry.get("is_required", False),
                    "is_deletable": entry.get("is_deletable", True),
                    "ordering": entry["ordering"],
                },
            )
            groups_created += created
            ConsentModeMapping.objects.get_or_create(
                group=group, defaults={"consent_types": entry.get("consent_types", [])}
            )
            for item in entry["cookies"]:
                cookie, created = Cookie.objects.get_or_create(
                    cookiegroup=group,
                    name=item["name"],
                    domain=item.get("domain", ""),
                    defaults={"description": item["description"], "path": item.get("path", "/")},
                )
                cookies_created += created
                CookieDetail.objects.get_or_create(cookie=cookie, defaults={"lifetime_days": item["lifetime_days"]})
    # Unconditionally: the command is also how an operator clears a stale cache.
    cache.bump_on_commit()
    return LoadResult(groups_created, cookies_created, rules_created)
