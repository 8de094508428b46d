"""Back up "published text never changes" in the database itself, on SQLite and PostgreSQL.

A published version that holds text (has sections) cannot be updated or deleted, and no
section of a published version can be inserted, updated or deleted. A published version
without text (an entry of the historical record) may still be replaced by its text.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER notices_published_version_no_update
    BEFORE UPDATE ON notices_policyversion FOR EACH ROW
    WHEN OLD.status = 'published'
         AND EXISTS (SELECT 1 FROM notices_section WHERE version_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'published policy versions are immutable'); END
    """,
    """
    CREATE TRIGGER notices_published_version_no_delete
    BEFORE DELETE ON notices_policyversion FOR EACH ROW
    WHEN OLD.status = 'published'
         AND EXISTS (SELECT 1 FROM notices_section WHERE version_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'published policy versions are immutable'); END
    """,
    """
    CREATE TRIGGER notices_published_section_no_insert
    BEFORE INSERT ON notices_section FOR EACH ROW
    WHEN (SELECT status FROM notices_policyversion WHERE id = NEW.version_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'sections of a published policy version are immutable'); END
    """,
    """
    CREATE TRIGGER notices_published_section_no_update
    BEFORE UPDATE ON notices_section FOR EACH ROW
    WHEN (SELECT status FROM notices_policyversion WHERE id = OLD.version_id) = 'published'
      OR (SELECT status FROM notices_policyversion WHERE id = NEW.version_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'sections of a published policy version are immutable'); END
    """,
    """
    CREATE TRIGGER notices_published_section_no_delete
    BEFORE DELETE ON notices_section FOR EACH ROW
    WHEN (SELECT status FROM notices_policyversion WHERE id = OLD.version_id) = 'published'
    BEGIN SELECT RAISE(ABORT, 'sections of a published policy version are immutable'); END
    """,
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "notices_published_version_no_update",
        "notices_published_version_no_delete",
        "notices_published_section_no_insert",
        "notices_published_section_no_update",
        "notices_published_section_no_delete",
    )
]

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION notices_refuse_published_version_change() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'published'
           AND EXISTS (SELECT 1 FROM notices_section WHERE version_id = OLD.id) THEN
            RAISE EXCEPTION 'published policy versions are immutable'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER notices_published_version_immutable
    BEFORE UPDATE OR DELETE ON notices_policyversion
    FOR EACH ROW EXECUTE FUNCTION notices_refuse_published_version_change()
    """,
    """
    CREATE FUNCTION notices_refuse_published_section_change() RETURNS trigger AS $$
    BEGIN
        IF (TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
                SELECT 1 FROM notices_policyversion WHERE id = OLD.version_id AND status = 'published'))
           OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
                SELECT 1 FROM notices_policyversion WHERE id = NEW.version_id AND status = 'published'))
        THEN
            RAISE EXCEPTION 'sections of a published policy version are immutable'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER notices_published_section_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON notices_section
    FOR EACH ROW EXECUTE FUNCTION notices_refuse_published_section_change()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS notices_published_section_immutable ON notices_section",
    "DROP FUNCTION IF EXISTS notices_refuse_published_section_change()",
    "DROP TRIGGER IF EXISTS notices_published_version_immutable ON notices_policyversion",
    "DROP FUNCTION IF EXISTS notices_refuse_published_version_change()",
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
    dependencies = [("notices", "0002_version_copied_from_publish_permission")]
    operations = [migrations.RunPython(forward, backward)]
