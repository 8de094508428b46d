"""Raw SQL that writes a row back over itself: how REPLACE and UPSERT get past UPDATE guards.

`WAYS` lists the statements each database knows: SQLite's REPLACE INTO and INSERT OR
REPLACE (delete the row in the way, insert the new one), and INSERT ... ON CONFLICT(id) DO
UPDATE (SQLite ≥ 3.24 and PostgreSQL).
"""

from django.db import connection

SQLITE_ONLY = ("REPLACE", "INSERT OR REPLACE")
UPSERT = "UPSERT"


def ways() -> list[str]:
    """The statements to try on the database the tests run on."""
    return [*SQLITE_ONLY, UPSERT] if connection.vendor == "sqlite" else [UPSERT]


def reinsert(model, pk, *, how: str, **overrides) -> None:
    """Write the row `pk` of `model` back with `how`, some columns replaced by `overrides`."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [field.column for field in model._meta.local_concrete_fields]
    selected = [("%s" if column in overrides else quote(column)) for column in columns]
    params = [overrides[column] for column in columns if column in overrides]
    verb = "INSERT" if how == UPSERT else how
    # Only quoted identifiers from the model's metadata are interpolated; values are params.
    sql = (
        f"{verb} INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"SELECT {', '.join(selected)} FROM {table} WHERE {quote('id')} = %s"
    )
    if how == UPSERT:
        updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c != "id")
        sql += f" ON CONFLICT ({quote('id')}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])
