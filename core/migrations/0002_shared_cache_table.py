"""The shared cache's table (the default cache is Django's database cache), made by migrate.

`make setup` and the deployment guide also run `createcachetable`; doing it here too means
no database the site runs on can lack it. It does nothing for a Redis cache, and nothing
when the table exists. Switching to the database cache later: run `createcachetable`.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
