"""Make consent records append-only in the database itself, on SQLite and PostgreSQL.

Updates are always refused. A delete is allowed only for a row older than the cutoff of a
PruneGrant row, which prune_consents creates and removes inside its own transaction.
TRUNCATE is not guarded (the test suite's flush relies on it): in production, do not grant
TRUNCATE on this table to the application's database role.

SQLite drops a table's triggers when a migration rebuilds the table: any later migration
that alters ConsentRecord must run create_triggers again.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER cookies_consentrecord_no_update BEFORE UPDATE ON cookies_consentrecord
    BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END""",
    """CREATE TRIGGER cookies_consentrecord_no_delete BEFORE DELETE ON cookies_consentrecord
    WHEN NOT EXISTS (SELECT 1 FROM cookies_prunegrant g WHERE OLD.created_at < g.cutoff)
    BEGIN SELECT RAISE(ABORT, 'consent records are removed only by prune_consents'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cookies_consentrecord_no_update",
    "DROP TRIGGER IF EXISTS cookies_consentrecord_no_delete",
]
POSTGRESQL = [
    """CREATE FUNCTION cookies_consentrecord_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'consent records are append-only';
      ELSIF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM cookies_prunegrant g WHERE OLD.created_at < g.cutoff) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'consent records are removed only by prune_consents';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER cookies_consentrecord_guard_rows BEFORE UPDATE OR DELETE ON cookies_consentrecord
    FOR EACH ROW EXECUTE FUNCTION cookies_consentrecord_guard()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS cookies_consentrecord_guard_rows ON cookies_consentrecord",
    "DROP FUNCTION IF EXISTS cookies_consentrecord_guard()",
]
BY_VENDOR = {"sqlite": (SQLITE, SQLITE_DROP), "postgresql": (POSTGRESQL, POSTGRESQL_DROP)}


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    # Other databases get the refusal in code only (ConsentRecord and its QuerySet).
    create, _ = BY_VENDOR.get(schema_editor.connection.vendor, ((), ()))
    _run(schema_editor, create)


def drop_triggers(apps, schema_editor):
    _, drop = BY_VENDOR.get(schema_editor.connection.vendor, ((), ()))
    _run(schema_editor, drop)


class Migration(migrations.Migration):
    dependencies = [("cookies", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
