"""Writing the demo's hundreds of thousands of rows fast: one prepared INSERT per chunk
(``insert_rows``, ``insert_objects``: ``bulk_create`` spent most of a load preparing values one
by one; on PostgreSQL one ``COPY … FROM STDIN`` instead), primary keys given up front
(``next_pk``) and the id sequences moved past them afterwards (``reset_sequences``). Used by
every loader that writes a history, and by the district benchmark (``bench/district``)."""

from __future__ import annotations

import contextlib
import gc
import json
import os

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models


@contextlib.contextmanager
def collected_after():
    """No cyclic garbage collection while a loader runs, one collection after it.

    A loader's plans and rows are millions of live objects; CPython walks all of them at each
    full collection, and allocation-heavy code sets one off every few hundred thousand new
    objects. Profiled on one district street, the walks were charged to whatever allocated
    at the time (a model's empty ``fields_cache`` dict at 19 µs a call, ``add_months`` at
    12 µs from one caller and 0.5 µs from another); without them a street's Python time
    fell by a quarter (``bench/bench_district_load.py``, numbers in
    ``docs/dev-notes/issue-13-district-view.md``). Memory stays as it was: garbage without
    cycles is still freed at once, the few cycles wait for the collection at the end.
    ``STREETBRAIN_LOAD_GC=on`` keeps the collector on (to measure the difference)."""
    if os.environ.get("STREETBRAIN_LOAD_GC") == "on":
        yield
        return
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        gc.collect()


def adapter(field):
    """How a value of ``field`` goes to the database driver: what ``get_db_prep_save`` does,
    but looked up once per column instead of once per value (None: as it is)."""
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.DateTimeField):
        if sqlite and settings.USE_TZ:
            # adapt_datetimefield_value: naive in the connection's zone, as text (the same
            # string, without its per-value checks)
            tz = connection.timezone
            return lambda v: None if v is None else str(v.astimezone(tz).replace(tzinfo=None))
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: None if v is None else adapt(v)
    if isinstance(field, models.JSONField):
        if sqlite and field.encoder is None:
            return json.dumps  # adapt_json_value on SQLite
        empty_list, empty_dict = (field.get_db_prep_save(v, connection) for v in ([], {}))

        def adapt_json(v):
            if v == {}:
                return empty_dict
            if v == []:
                return empty_list
            return field.get_db_prep_save(v, connection)

        return adapt_json
    if isinstance(field, models.DecimalField | models.UUIDField):
        return lambda v: field.get_db_prep_save(v, connection)
    if field.choices:
        # the generator's states, channels and actions are str enums: their plain value
        return lambda v: getattr(v, "value", v)
    return None


def insert_rows(
    model, attnames: list[str], rows, chunk: int = 5000, *, prepared: bool = False
) -> int:
    """Insert ``rows`` (sequences of values in ``attnames`` order) with one prepared statement:
    several times faster than ``bulk_create`` for the hundreds of thousands of timeline
    events. No signals, no defaults, no returned ids (give them if you need them).
    ``prepared``: the rows hold the values the driver takes already (see ``adapter``)."""
    fields = [next(f for f in model._meta.concrete_fields if f.attname == a) for a in attnames]
    adapters = [adapter(f) for f in fields]
    # Only identifiers from the model's own metadata go into the statement; values are
    # parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    adapt = [] if prepared else [(i, a) for i, a in enumerate(adapters) if a is not None]
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, rows, adapt)
    total, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            if adapt:
                row = list(row)
                for i, a in adapt:
                    row[i] = a(row[i])
            batch.append(row)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                total, batch = total + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
    return total


def _copy_rows(model, fields, rows, adapt) -> int:
    """``insert_rows`` on PostgreSQL: one ``COPY … FROM STDIN`` (psycopg 3), several times
    faster than INSERTs for millions of rows; the same values, the same constraints."""
    sql = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
    )
    total = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            if adapt:
                row = list(row)
                for i, a in adapt:
                    row[i] = a(row[i])
            copy.write_row(row)
            total += 1
    return total


def insert_objects(model, objs: list, chunk: int = 5000) -> int:
    """``insert_rows`` for model instances whose primary keys are set: every concrete field,
    ``auto_now``/``auto_now_add`` fields stamped as ``save`` would."""
    fields = list(model._meta.concrete_fields)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for f in stamped:
            f.pre_save(obj, True)
        obj._state.adding, obj._state.db = False, connection.alias
    names = [f.attname for f in fields]
    return insert_rows(model, names, ([getattr(o, n) for n in names] for o in objs), chunk=chunk)


def next_pk(model) -> int:
    """The primary key the next row of ``model`` gets: ids are given up front, so that rows
    can point at each other before they are written."""
    return (model._base_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def reset_sequences(*model_classes) -> None:
    """Rows were inserted with explicit ids: move the id sequences past them (PostgreSQL;
    SQLite's AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
