"""Trigram indexes for the registry's text search (the one search and the lists' ``q``):
residents' names, buildings' names, addresses and compounds, shops' names, addresses and
operators. PostgreSQL only (``core.trigram``)."""

from django.db import migrations

from streetbrain.core.trigram import operation


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_verbose_names")]

    operations = [
        operation("registry_resident", ("name",)),
        operation("registry_building", ("name", "address", "compound")),
        operation("registry_shop", ("name", "address", "operator")),
    ]
