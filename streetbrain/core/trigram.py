"""Trigram indexes (PostgreSQL's pg_trgm) for the text searches: the one search and the
lists' ``q`` look for a fragment anywhere in a text (``icontains``: ``UPPER(col) LIKE
UPPER('%…%')``), which a B-tree cannot serve. A GIN index over ``UPPER(col)`` with
``gin_trgm_ops`` serves it for fragments of three characters or more; shorter ones have no
trigram (``search.TRIGRAM_MIN``). SQLite has no such index and keeps scanning."""

from __future__ import annotations

from django.db import migrations


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def prefix_index_name(table: str, column: str) -> str:
    return f"{table}_{column}_prefix"[:63]


def _postgresql_indexes(table, columns, name, method, *, setup=()) -> migrations.RunPython:
    """A migration's operation creating (and on the way back dropping) one expression index
    ``UPPER(col) <method>`` per column on PostgreSQL, named by ``name``; nothing elsewhere."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in setup:
            schema_editor.execute(statement)
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name(table, column)}" '
                f'ON "{table}" {method.format(column=column)}'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name(table, column)}"')

    return migrations.RunPython(forwards, backwards, elidable=False)


def operation(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """The trigram indexes (GIN, ``gin_trgm_ops``) of ``columns`` of ``table``."""
    return _postgresql_indexes(
        table,
        columns,
        index_name,
        'USING gin (UPPER("{column}") gin_trgm_ops)',
        setup=("CREATE EXTENSION IF NOT EXISTS pg_trgm",),
    )


def prefix_operation(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """The B-tree prefix indexes of ``columns`` of ``table`` (``UPPER(col)
    text_pattern_ops``: ``istartswith`` and ``iexact`` at any collation). They serve the one
    search's short fragments (``search.TRIGRAM_MIN``): a name that is or begins with two
    characters, anywhere among millions of rows, without reading them."""
    return _postgresql_indexes(
        table, columns, prefix_index_name, '(UPPER("{column}") text_pattern_ops)'
    )
