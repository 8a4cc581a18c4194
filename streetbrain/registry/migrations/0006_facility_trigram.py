"""A trigram index for the one search over the facilities' names (a district's 176,000: a
fragment of three characters or more, or an ID or case number tried against every kind,
read every row without one). PostgreSQL only (``core.trigram``)."""

from django.db import migrations

from streetbrain.core.trigram import operation


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_prefix_search")]

    operations = [operation("registry_facility", ("name",))]
