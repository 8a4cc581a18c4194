"""Trigram indexes for the cases' text search (the one search: title, address; the list's
``q``: number, title, description, address), PostgreSQL only (``core.trigram``)."""

from django.db import migrations

from streetbrain.core.trigram import operation


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_public")]

    operations = [operation("cases_case", ("title", "address", "description", "number"))]
