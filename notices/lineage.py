"""A draft's place in the line of versions: its base, the edits made to it, and rebasing.

A draft is started from the newest version that is or will be in force (its *base*,
``copied_from``) and replaces exactly that one. When another version is published in the
meantime, the draft must be rebased before it can be published: the changes the other
version made to the base are carried into the draft section by section (a three-way merge),
and where both changed the same text differently the draft's text is kept and the section
is reported, for the editor to reconcile by hand.

Every write to a draft records a ``VersionEvent``; the newest one is the edit token an
editor's page carries, so a save over a draft that changed since it was opened is refused.
"""

import difflib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import PolicyVersion, Section, VersionEvent

# Columns of a section that carry text an editor writes, per language.
TEXT_FIELDS = ("heading", "body")


def languages() -> list[str]:
    return [code.replace("-", "_") for code in settings.MODELTRANSLATION_LANGUAGES]


def text_columns() -> list[str]:
    return [f"{name}_{code}" for name in TEXT_FIELDS for code in languages()]


# --- snapshots and what changed ------------------------------------------------------------


def snapshot(version: PolicyVersion) -> dict[str, dict]:
    """The editable content of a version's sections, keyed by anchor."""
    columns = ["anchor", "order", "jurisdiction_id", *text_columns()]
    return {row["anchor"]: row for row in version.sections.order_by("order", "pk").values(*columns)}


def section_label(row: dict) -> str:
    return row.get("heading_en") or row["anchor"]


def _unified(old: str, new: str) -> str:
    lines = difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), lineterm="", n=1)
    return "\n".join(list(lines)[2:])  # without the ---/+++ file header


def _normal(text: str | None) -> str:
    # A form posts text back with CRLF line ends and trimmed: the same text, no change.
    return (text or "").replace("\r\n", "\n").strip()


def changes_between(before: dict[str, dict], after: dict[str, dict]) -> list[dict]:
    """What changed, per section and language, each with a unified diff of the text."""
    changes = []
    for anchor, new in after.items():
        old = before.get(anchor)
        if old is None:
            changes.append({"section": section_label(new), "anchor": anchor, "change": "added"})
            continue
        for column in text_columns():
            if _normal(old.get(column)) != _normal(new.get(column)):
                name, code = column.split("_", 1)
                changes.append(
                    {
                        "section": section_label(new),
                        "anchor": anchor,
                        "change": name,
                        "language": code,
                        "diff": _unified(old.get(column), new.get(column)),
                    }
                )
        if (old["order"], old["jurisdiction_id"]) != (new["order"], new["jurisdiction_id"]):
            changes.append({"section": section_label(new), "anchor": anchor, "change": "placement"})
    for anchor, old in before.items():
        if anchor not in after:
            changes.append({"section": section_label(old), "anchor": anchor, "change": "removed"})
    return changes


def describe_changes(changes: list[dict]) -> str:
    """One line per change for the admin history: the section, the field, the language, the diff."""
    if not changes:
        return _("No text changed.")
    lines = []
    for change in changes:
        if change["change"] == "added":
            lines.append(_("Added section %(section)s.") % change)
        elif change["change"] == "removed":
            lines.append(_("Removed section %(section)s.") % change)
        elif change["change"] == "placement":
            lines.append(_("Moved section %(section)s or changed its region.") % change)
        else:
            what = _("heading") if change["change"] == "heading" else _("text")
            lines.append(
                _("Changed the %(what)s of %(section)s [%(language)s]:") % {**change, "what": what}
                + "\n"
                + change["diff"]
            )
    return "\n".join(lines)


# --- edit tokens -----------------------------------------------------------------------------


class EditConflict(Exception):
    """The draft was saved by someone else after this editor opened it."""

    def __init__(self, event: VersionEvent | None):
        self.event = event
        super().__init__(conflict_message(event))


def conflict_message(event: VersionEvent | None) -> str:
    if event is None or event.user is None:
        return _(
            "This draft changed since you opened it. Your text is kept below: copy what you need, "
            "then reload the draft and apply your changes to the current text."
        )
    name = event.user.get_full_name() or event.user.get_username()
    when = formats.date_format(timezone.localtime(event.at), "DATETIME_FORMAT")
    return _(
        "This draft changed since you opened it: %(who)s saved it at %(when)s. Your text is kept "
        "below: copy what you need, then reload the draft and apply your changes to the current text."
    ) % {"who": name, "when": when}


def edit_token(version: PolicyVersion) -> str:
    """The newest event of a version: what an editor's page was built from."""
    latest = version.events.latest_first().values_list("pk", flat=True).first() if version.pk else None
    return str(latest or 0)


def ensure_token(version: PolicyVersion, token: str | None) -> None:
    """Refuse a save made from a page older than the draft (call with the row locked)."""
    latest = version.events.latest_first().select_related("user").first()
    if str(latest.pk if latest else 0) != str(token or ""):
        raise EditConflict(latest)


def last_editor_id(version: PolicyVersion) -> int | None:
    kinds = [VersionEvent.Kind.STARTED, VersionEvent.Kind.EDITED, VersionEvent.Kind.REBASED]
    return version.events.filter(kind__in=kinds).latest_first().values_list("user_id", flat=True).first()


def record(version: PolicyVersion, kind: str, *, user=None, note: str = "", changes=None) -> VersionEvent:
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    return VersionEvent.objects.create(version=version, kind=kind, user=user, note=note, changes=changes or [])


# --- lineage and rebasing --------------------------------------------------------------------


def published_base(version: PolicyVersion) -> PolicyVersion | None:
    """The published version a draft builds on: its source, or its source's, through drafts."""
    seen = set()
    source = version.copied_from
    while source is not None and not source.is_published and source.pk not in seen:
        seen.add(source.pk)
        source = source.copied_from
    return source


def replaced_version(version: PolicyVersion) -> PolicyVersion | None:
    """What a version is compared with: the published version it builds on, else the latest."""
    return published_base(version) or PolicyVersion.objects.latest_live()


def stale_base(version: PolicyVersion) -> PolicyVersion | None:
    """The version published since this draft was started, which it must be rebased onto."""
    if version.is_published or version.copied_from_id is None:
        return None
    base = published_base(version)
    latest = PolicyVersion.objects.latest_live()
    if latest is None or base is None or latest.pk in (base.pk, version.pk):
        return None
    return latest


def stale_message(version: PolicyVersion) -> str:
    """Why this draft must be rebased before it can be published ("" when it need not be)."""
    onto = stale_base(version)
    if onto is None:
        return ""
    base = published_base(version)
    if base is not None and base.is_withdrawn:
        return _(
            "The version this draft builds on, effective %(base)s, was withdrawn. Rebase the draft onto "
            "the version effective %(date)s (which removes the withdrawn changes unless you changed "
            "the same text) before publishing."
        ) % {"base": base.effective_date.isoformat(), "date": onto.effective_date.isoformat()}
    return _(
        "The version effective %(date)s was published after this draft was started. "
        "Rebase the draft onto it (carry its changes in) before publishing."
    ) % {"date": onto.effective_date.isoformat()}


@dataclass
class RebaseResult:
    onto: PolicyVersion
    carried: list[str] = field(default_factory=list)  # sections that took the other version's change
    conflicts: list[str] = field(default_factory=list)  # changed both ways: the draft's text was kept


def _merge_value(base, ours, theirs):
    """Three-way merge of one value: None when both sides changed it differently."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return None


def draft_rebase(*, version: PolicyVersion, user=None) -> RebaseResult | None:
    """Carry what was published since this draft started into it, and make that its base.

    None when the draft already builds on the latest published version: another editor's
    rebase (or a second click) got there first, under the same row lock.
    """
    with transaction.atomic():
        draft = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        onto = stale_base(draft)
        if onto is None:
            return None
        base = snapshot(published_base(draft))
        theirs = snapshot(onto)
        ours = snapshot(draft)
        result = RebaseResult(onto)
        sections = {s.anchor: s for s in draft.sections.all()}
        for anchor, their_row in theirs.items():
            base_row, our_row = base.get(anchor), ours.get(anchor)
            if our_row is None:
                if base_row is None:  # added by the other version
                    _copy_section(onto.sections.get(anchor=anchor), draft)
                    result.carried.append(section_label(their_row))
                elif their_row != base_row:  # we removed it, they changed it
                    result.conflicts.append(section_label(their_row))
                continue
            if base_row is None:
                if our_row != their_row:
                    result.conflicts.append(section_label(our_row))
                continue
            merged, conflict = {}, False
            for column in ("order", "jurisdiction_id", *text_columns()):
                value = _merge_value(base_row.get(column), our_row.get(column), their_row.get(column))
                if value is None and our_row.get(column) is not None:
                    conflict = True
                    value = our_row.get(column)
                merged[column] = value
            if conflict:
                result.conflicts.append(section_label(our_row))
            changed = {k: v for k, v in merged.items() if v != our_row.get(k)}
            if changed:
                section = sections[anchor]
                for column, value in changed.items():
                    setattr(section, column, value)
                section.save()
                result.carried.append(section_label(their_row))
        for anchor, base_row in base.items():
            if anchor not in theirs and anchor in ours:  # removed by the other version
                if ours[anchor] == base_row:
                    sections[anchor].delete()
                    result.carried.append(section_label(base_row))
                else:
                    result.conflicts.append(section_label(ours[anchor]))
        draft.copied_from = onto
        draft.save(update_fields=["copied_from", "updated_at"])
        note = _("Rebased onto the version effective %(date)s.") % {"date": onto.effective_date.isoformat()}
        record(draft, VersionEvent.Kind.REBASED, user=user, note=note, changes=changes_between(ours, snapshot(draft)))
    version.refresh_from_db()
    return result


def _copy_section(source: Section, draft: PolicyVersion) -> None:
    fields = {
        f.attname: getattr(source, f.attname) for f in Section._meta.concrete_fields if f.name not in {"id", "version"}
    }
    Section(version=draft, **fields).save()
