"""Refuse re-inserting a published version or one of its sections over the existing row.

SQLite's REPLACE INTO / INSERT OR REPLACE deletes the row in the way and inserts the new
one; the delete fires delete triggers only with `PRAGMA recursive_triggers=ON`, which the
settings now turn on for every connection. A connection without it (the sqlite3 shell, a
script) would still get past 0003: REPLACE the version row as a draft, edit its sections,
REPLACE it back published with its old publish time. These BEFORE INSERT triggers fire
before any conflict is resolved, whatever the pragmas, and refuse an insert that would
take the place of

* a published version with text: the same id, or (when the new row is published too) the
  same effective date, the other unique key REPLACE resolves;
* a section of a published version: the same id, or the same (version, anchor).

A plain INSERT of such a row fails anyway on the unique key; only the message changes.

PostgreSQL has no REPLACE; INSERT ... ON CONFLICT DO UPDATE fires the UPDATE triggers of
0003 (the tests prove it), and the same guards are added there so both databases refuse
with the same words before the conflict is looked at.
"""

from django.db import migrations

VERSION_TAKEN = """
    EXISTS (SELECT 1 FROM notices_policyversion v
            WHERE v.status = 'published'
              AND (v.id = NEW.id OR (NEW.status = 'published' AND v.effective_date = NEW.effective_date))
              AND EXISTS (SELECT 1 FROM notices_section s WHERE s.version_id = v.id))
"""
SECTION_TAKEN = """
    EXISTS (SELECT 1 FROM notices_section s
            JOIN notices_policyversion v ON v.id = s.version_id
            WHERE v.status = 'published'
              AND (s.id = NEW.id OR (s.version_id = NEW.version_id AND s.anchor = NEW.anchor)))
"""

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER notices_published_version_no_reinsert
    BEFORE INSERT ON notices_policyversion FOR EACH ROW
    WHEN {VERSION_TAKEN}
    BEGIN SELECT RAISE(ABORT, 'published policy versions are immutable'); END
    """,
    f"""
    CREATE TRIGGER notices_published_section_no_reinsert
    BEFORE INSERT ON notices_section FOR EACH ROW
    WHEN {SECTION_TAKEN}
    BEGIN SELECT RAISE(ABORT, 'sections of a published policy version are immutable'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS notices_published_version_no_reinsert",
    "DROP TRIGGER IF EXISTS notices_published_section_no_reinsert",
]

POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION notices_refuse_published_version_reinsert() RETURNS trigger AS $$
    BEGIN
        IF {VERSION_TAKEN} THEN
            RAISE EXCEPTION 'published policy versions are immutable'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER notices_published_version_no_reinsert
    BEFORE INSERT ON notices_policyversion
    FOR EACH ROW EXECUTE FUNCTION notices_refuse_published_version_reinsert()
    """,
    f"""
    CREATE FUNCTION notices_refuse_published_section_reinsert() RETURNS trigger AS $$
    BEGIN
        IF {SECTION_TAKEN} THEN
            RAISE EXCEPTION 'sections of a published policy version are immutable'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER notices_published_section_no_reinsert
    BEFORE INSERT ON notices_section
    FOR EACH ROW EXECUTE FUNCTION notices_refuse_published_section_reinsert()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS notices_published_section_no_reinsert ON notices_section",
    "DROP FUNCTION IF EXISTS notices_refuse_published_section_reinsert()",
    "DROP TRIGGER IF EXISTS notices_published_version_no_reinsert ON notices_policyversion",
    "DROP FUNCTION IF EXISTS notices_refuse_published_version_reinsert()",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("notices", "0005_copied_from_restrict")]
    operations = [migrations.RunPython(forward, backward)]
