"""The cache shared by every process of one deployment, and the checks that it is shared.

Redis in production (``CACHE_URL``, by default the Redis of ``REDIS_URL``); in the demo, the
database cache in the demo's SQLite file; in-process (locmem) only in tests. It holds the
public report page's rate-limit counters, the intake queue's start signal and the API's
throttles: with a per-process cache each web process counts on its own, and four processes let
four times the limit through.

``DatabaseCache`` is Django's database cache with an atomic ``incr``. Django's (inherited from
``BaseCache``) reads the value and writes it back, so two processes counting at once both read
3 and both write 4, and it also resets the key's expiry to the default timeout. Here the row
is locked first (an ``UPDATE`` of the row itself: a row lock in PostgreSQL, the write lock in
SQLite), then read, then written, in one transaction; the expiry is kept.

The table is created after every ``migrate`` (``create_cache_tables``, a ``post_migrate``
handler), so ``streetbrain demo``, ``streetbrain migrate`` and the test databases have it
without a separate ``createcachetable``.
"""

from __future__ import annotations

import base64
import pickle
from datetime import datetime

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.management import call_command
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

# Backends whose entries live in one process: nothing is shared between web processes.
PROCESS_LOCAL_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache whose ``incr``/``decr`` are atomic across processes."""

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table, cache_key = quote(self._table), quote("cache_key")
        value_column, expires_column = quote("value"), quote("expires")
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # Writing the row first takes its lock before anything is read: a concurrent incr
            # of the same key waits here until this transaction commits.
            cursor.execute(
                f"UPDATE {table} SET {expires_column} = {expires_column} "  # noqa: S608
                f"WHERE {cache_key} = %s",
                [key],
            )
            if cursor.rowcount == 0:
                raise ValueError(f"Key '{key}' not found.")
            cursor.execute(
                f"SELECT {value_column}, {expires_column} FROM {table} "  # noqa: S608
                f"WHERE {cache_key} = %s",
                [key],
            )
            stored, expires = cursor.fetchone()
            if self._expires(connection, expires) < timezone.now().replace(microsecond=0):
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {cache_key} = %s",  # noqa: S608
                [encoded, key],
            )
        return value

    @staticmethod
    def _expires(connection, value) -> datetime:
        """The stored expiry as a datetime comparable with ``timezone.now()`` (the same
        conversion Django's ``get_many`` applies)."""
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            value = converter(value, expression, connection)
        return value


def database_caches() -> list[str]:
    """The aliases of the configured caches kept in the database."""
    return [
        alias
        for alias, config in settings.CACHES.items()
        if issubclass(_backend_class(config["BACKEND"]), DjangoDatabaseCache)
    ]


def is_process_local(alias: str = "default") -> bool:
    return settings.CACHES[alias]["BACKEND"] in PROCESS_LOCAL_BACKENDS


def _backend_class(path: str) -> type:
    try:
        return import_string(path)
    except ImportError:
        return object


def create_cache_tables(sender=None, using="default", verbosity=1, **kwargs) -> None:
    """``post_migrate``: create the database cache's table if a cache lives in the database
    (``createcachetable`` does nothing for a table that exists)."""
    if database_caches():
        call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
