"""The shared cache's table (settings.CACHES: the database cache unless REDIS_URL is set).

Made here so `migrate` alone readies a new database; made whatever the cache setting, so switching
from Redis back to the database cache needs no extra step.
"""

from django.core.management import call_command
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CACHE_TABLE = "safetyplan_cache"


def create_cache_table(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_clinician_settings")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
