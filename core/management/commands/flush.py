"""Django's flush, able to empty a SQLite database whose tables are guarded by triggers.

Published policy text and consent records have row triggers that refuse UPDATE and DELETE
(notices migration 0003, cookies migration 0002). PostgreSQL flushes with TRUNCATE, which
row triggers never see; SQLite flushes with DELETE FROM, which they refuse, so Django's own
flush failed there ("couldn't be flushed") on any database holding the launch content.

flush is the operator's (and the test runner's) "empty every table", not an edit of the
record, so on SQLite it now does what it does on PostgreSQL: in the flush's own
transaction it drops every trigger, empties the tables and creates each trigger again from
the SQL that SQLite stored for it. SQLite holds the write lock from the first DROP until
the commit, so no other connection ever writes to an unguarded table, and a flush that
fails rolls back whole, triggers included.
"""

import contextlib

from django.core.management.commands import flush
from django.db import connections, transaction


@contextlib.contextmanager
def _triggers_lifted_while_flushing(connection):
    """Make this connection's flush SQL run with the triggers set aside, then put back."""
    empty_tables = connection.ops.execute_sql_flush

    def execute_sql_flush(sql_list):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            empty_tables(sql_list)
            for _name, sql in triggers:
                cursor.execute(sql)

    # Django's flush calls connection.ops.execute_sql_flush once, after asking for
    # confirmation: wrapping that one call keeps the prompt and everything else as Django has it.
    connection.ops.execute_sql_flush = execute_sql_flush
    try:
        yield
    finally:
        del connection.ops.execute_sql_flush


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with _triggers_lifted_while_flushing(connection):
            return super().handle(**options)
