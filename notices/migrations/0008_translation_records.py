"""Translation records, and translations that may arrive after a version is published.

A published version's text never changes, in any language. A translation can still be
*added* to it once (the launch version was published in English; its Korean, Chinese and
Japanese texts came later), and is then as fixed as the English. So the guards of 0003 now
let through exactly one kind of UPDATE on a published version's rows:

* a section: one language's heading, body and HTML filled where all three were empty, every
  other column unchanged, and only once a ``notices_sectiontranslation`` row (what it was
  translated from, how, when, by whom) exists for that section and language;
* a version: one language's change summary filled where it was empty, every other column
  unchanged, once that language has a translation record on one of its sections.

Translation records of a published version are append-only: no UPDATE, no DELETE, and an
INSERT only for a language the section does not hold yet (so a record can never be put
under a translation that was published without one). SQLite gets the column lists from
the table as it stands now; PostgreSQL compares whole rows minus the translated columns.
"""

# ruff: noqa: S608 -- the SQL is built from constants and column names, never from input
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LANGUAGES = {"ko": "ko", "zh-hans": "zh_hans", "ja": "ja"}  # code -> column suffix
SECTION_TRANSLATED = [f"{f}_{s}" for s in LANGUAGES.values() for f in ("heading", "body", "body_html")]
VERSION_TRANSLATED = [f"summary_{s}" for s in LANGUAGES.values()]

SECTION_REFUSAL = "sections of a published policy version are immutable"
VERSION_REFUSAL = "published policy versions are immutable"
RECORD_REFUSAL = "translation records of a published policy version are append-only"


def _published(version_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM notices_policyversion WHERE id = {version_id} AND status = 'published')"


def _has_record(section_id: str, code: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM notices_sectiontranslation t "
        f"WHERE t.section_id = {section_id} AND t.language = '{code}')"
    )


def _section_fill(same: str) -> str:
    """Each language's columns unchanged, or filled from empty under a translation record."""
    terms = []
    for code, s in LANGUAGES.items():
        unchanged = " AND ".join(same.format(c=f"{f}_{s}") for f in ("heading", "body", "body_html"))
        empty = " AND ".join(f"COALESCE(OLD.{f}_{s}, '') = ''" for f in ("heading", "body", "body_html"))
        terms.append(
            f"(({unchanged}) OR ({empty} AND COALESCE(NEW.body_{s}, '') <> '' AND {_has_record('OLD.id', code)}))"
        )
    return " AND ".join(terms)


def _version_fill(same: str) -> str:
    terms = []
    for code, s in LANGUAGES.items():
        record = (
            "EXISTS (SELECT 1 FROM notices_sectiontranslation t JOIN notices_section s ON s.id = t.section_id "
            f"WHERE s.version_id = OLD.id AND t.language = '{code}')"
        )
        terms.append(f"({same.format(c=f'summary_{s}')} OR (COALESCE(OLD.summary_{s}, '') = '' AND {record}))")
    return " AND ".join(terms)


def _record_holds_text(section_id: str, language: str) -> str:
    cases = " ".join(f"WHEN '{code}' THEN s.body_{s}" for code, s in LANGUAGES.items())
    return (
        f"EXISTS (SELECT 1 FROM notices_section s WHERE s.id = {section_id} "
        f"AND COALESCE(CASE {language} {cases} ELSE 'unknown' END, '') <> '')"
    )


def _published_section(section_id: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM notices_section s JOIN notices_policyversion v ON v.id = s.version_id "
        f"WHERE s.id = {section_id} AND v.status = 'published')"
    )


def _columns(schema_editor, table: str, translated: list[str]) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        description = schema_editor.connection.introspection.get_table_description(cursor, table)
    return [column.name for column in description if column.name not in translated]


def _sqlite_forward(schema_editor) -> list[str]:
    same = 'NEW."{c}" IS OLD."{c}"'
    section_fixed = " AND ".join(
        same.format(c=c) for c in _columns(schema_editor, "notices_section", SECTION_TRANSLATED)
    )
    version_fixed = " AND ".join(
        same.format(c=c) for c in _columns(schema_editor, "notices_policyversion", VERSION_TRANSLATED)
    )
    return [
        "DROP TRIGGER IF EXISTS notices_published_section_no_update",
        f"""
        CREATE TRIGGER notices_published_section_no_update
        BEFORE UPDATE ON notices_section FOR EACH ROW
        WHEN ({_published("OLD.version_id")} OR {_published("NEW.version_id")})
             AND NOT ({section_fixed} AND {_section_fill(same)})
        BEGIN SELECT RAISE(ABORT, '{SECTION_REFUSAL}'); END
        """,
        "DROP TRIGGER IF EXISTS notices_published_version_no_update",
        f"""
        CREATE TRIGGER notices_published_version_no_update
        BEFORE UPDATE ON notices_policyversion FOR EACH ROW
        WHEN OLD.status = 'published'
             AND EXISTS (SELECT 1 FROM notices_section WHERE version_id = OLD.id)
             AND NOT ({version_fixed} AND {_version_fill(same)})
        BEGIN SELECT RAISE(ABORT, '{VERSION_REFUSAL}'); END
        """,
        f"""
        CREATE TRIGGER notices_published_translation_no_insert
        BEFORE INSERT ON notices_sectiontranslation FOR EACH ROW
        WHEN {_published_section("NEW.section_id")}
             AND ({_record_holds_text("NEW.section_id", "NEW.language")}
                  OR EXISTS (SELECT 1 FROM notices_sectiontranslation t WHERE t.id = NEW.id
                             OR (t.section_id = NEW.section_id AND t.language = NEW.language)))
        BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSAL}'); END
        """,
        f"""
        CREATE TRIGGER notices_published_translation_no_update
        BEFORE UPDATE ON notices_sectiontranslation FOR EACH ROW
        WHEN {_published_section("OLD.section_id")} OR {_published_section("NEW.section_id")}
        BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSAL}'); END
        """,
        f"""
        CREATE TRIGGER notices_published_translation_no_delete
        BEFORE DELETE ON notices_sectiontranslation FOR EACH ROW
        WHEN {_published_section("OLD.section_id")}
        BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSAL}'); END
        """,
    ]


def _sqlite_backward(schema_editor) -> list[str]:
    # Back to 0003's guards: the forward migration's own statements, before it.
    from importlib import import_module

    previous = import_module("notices.migrations.0003_published_text_is_immutable").SQLITE_FORWARD
    restore = [sql for sql in previous if "notices_published_section_no_update" in sql or "version_no_update" in sql]
    return [
        "DROP TRIGGER IF EXISTS notices_published_translation_no_insert",
        "DROP TRIGGER IF EXISTS notices_published_translation_no_update",
        "DROP TRIGGER IF EXISTS notices_published_translation_no_delete",
        "DROP TRIGGER IF EXISTS notices_published_section_no_update",
        "DROP TRIGGER IF EXISTS notices_published_version_no_update",
        *restore,
    ]


def _postgres_forward(schema_editor) -> list[str]:
    same = "NEW.{c} IS NOT DISTINCT FROM OLD.{c}"
    section_rest = ", ".join(f"'{c}'" for c in SECTION_TRANSLATED)
    version_rest = ", ".join(f"'{c}'" for c in VERSION_TRANSLATED)
    return [
        f"""
        CREATE OR REPLACE FUNCTION notices_refuse_published_section_change() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE'
               AND (to_jsonb(NEW) - ARRAY[{section_rest}]) = (to_jsonb(OLD) - ARRAY[{section_rest}])
               AND {_section_fill(same)} THEN
                RETURN NEW;
            END IF;
            IF (TG_OP IN ('UPDATE', 'DELETE') AND {_published("OLD.version_id")})
               OR (TG_OP IN ('INSERT', 'UPDATE') AND {_published("NEW.version_id")})
            THEN
                RAISE EXCEPTION '{SECTION_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE OR REPLACE FUNCTION notices_refuse_published_version_change() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE'
               AND (to_jsonb(NEW) - ARRAY[{version_rest}]) = (to_jsonb(OLD) - ARRAY[{version_rest}])
               AND {_version_fill(same)} THEN
                RETURN NEW;
            END IF;
            IF OLD.status = 'published'
               AND EXISTS (SELECT 1 FROM notices_section WHERE version_id = OLD.id) THEN
                RAISE EXCEPTION '{VERSION_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE FUNCTION notices_refuse_published_translation_change() RETURNS trigger AS $$
        BEGIN
            IF (TG_OP IN ('UPDATE', 'DELETE') AND {_published_section("OLD.section_id")})
               OR (TG_OP = 'UPDATE' AND {_published_section("NEW.section_id")})
               OR (TG_OP = 'INSERT' AND {_published_section("NEW.section_id")}
                   AND ({_record_holds_text("NEW.section_id", "NEW.language")}
                        OR EXISTS (SELECT 1 FROM notices_sectiontranslation t WHERE t.id = NEW.id
                                   OR (t.section_id = NEW.section_id AND t.language = NEW.language))))
            THEN
                RAISE EXCEPTION '{RECORD_REFUSAL}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END
        $$ LANGUAGE plpgsql
        """,
        """
        CREATE TRIGGER notices_published_translation_append_only
        BEFORE INSERT OR UPDATE OR DELETE ON notices_sectiontranslation
        FOR EACH ROW EXECUTE FUNCTION notices_refuse_published_translation_change()
        """,
    ]


def _postgres_backward(schema_editor) -> list[str]:
    from importlib import import_module

    previous = import_module("notices.migrations.0003_published_text_is_immutable").POSTGRES_FORWARD
    functions = [
        sql.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
        for sql in previous
        if sql.strip().startswith("CREATE FUNCTION")
    ]
    return [
        "DROP TRIGGER IF EXISTS notices_published_translation_append_only ON notices_sectiontranslation",
        "DROP FUNCTION IF EXISTS notices_refuse_published_translation_change()",
        *functions,
    ]


def forward(apps, schema_editor):
    build = {"sqlite": _sqlite_forward, "postgresql": _postgres_forward}.get(schema_editor.connection.vendor)
    for statement in build(schema_editor) if build else []:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    build = {"sqlite": _sqlite_backward, "postgresql": _postgres_backward}.get(schema_editor.connection.vendor)
    for statement in build(schema_editor) if build else []:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0007_lineage_events_withdrawal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SectionTranslation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=10, verbose_name="language")),
                ("source_sha256", models.CharField(max_length=64, verbose_name="English checksum")),
                (
                    "source_heading",
                    models.CharField(blank=True, max_length=300, verbose_name="English heading translated"),
                ),
                ("source_body", models.TextField(verbose_name="English body translated")),
                (
                    "how",
                    models.CharField(
                        choices=[
                            ("imported", "Imported from a file"),
                            ("edited", "Edited in the admin"),
                            ("confirmed", "Marked as up to date"),
                        ],
                        max_length=20,
                        verbose_name="recorded by way of",
                    ),
                ),
                ("recorded_at", models.DateTimeField(verbose_name="recorded at")),
                (
                    "source_file_sha256",
                    models.CharField(blank=True, max_length=64, verbose_name="source file checksum"),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="translations",
                        to="notices.section",
                        verbose_name="section",
                    ),
                ),
            ],
            options={
                "verbose_name": "section translation record",
                "verbose_name_plural": "section translation records",
                "ordering": ["section", "language"],
                "constraints": [
                    models.UniqueConstraint(fields=("section", "language"), name="notices_one_translation_record")
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
