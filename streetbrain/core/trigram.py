"""Trigram indexes (PostgreSQL's pg_trgm) for the text searches: the one search and the
lists' ``q`` look for a fragment anywhere in a text (``icontains``: ``UPPER(col) LIKE
UPPER('%…%')``), which a B-tree cannot serve. A GIN index over ``UPPER(col)`` with
``gin_trgm_ops`` serves it for fragments of three characters or more; shorter ones have no
trigram (``search.TRIGRAM_MIN``). SQLite has no such index and keeps scanning."""

from __future__ import annotations

from django.db import migrations


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def operation(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """A migration's operation creating (and on the way back dropping) the trigram indexes
    of ``columns`` of ``table`` on PostgreSQL; nothing elsewhere."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" '
                f'ON "{table}" USING gin (UPPER("{column}") gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index_name(table, column)}"')

    return migrations.RunPython(forwards, backwards, elidable=False)


def prefix_index_name(table: str, column: str) -> str:
    return f"{table}_{column}_prefix"[:63]


def prefix_operation(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """A migration's operation creating the B-tree prefix indexes of ``columns`` of
    ``table`` on PostgreSQL (``UPPER(col) text_pattern_ops``: ``istartswith`` and
    ``iexact`` at any collation); nothing elsewhere. They serve the one search's short
    fragments (``search.TRIGRAM_MIN``): a name that is or begins with two characters,
    anywhere among millions of rows, without reading them."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{prefix_index_name(table, column)}" '
                f'ON "{table}" (UPPER("{column}") text_pattern_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{prefix_index_name(table, column)}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
