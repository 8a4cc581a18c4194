"""Trigram indexes for the one search over the enterprises' names (a district's 230,079: a
fragment of three characters or more, or an ID or case number tried against every kind,
read every row without one). PostgreSQL only (``core.trigram``)."""

from django.db import migrations

from streetbrain.core.trigram import operation


class Migration(migrations.Migration):
    dependencies = [("economy", "0004_lease_last_day")]

    operations = [operation("economy_enterprise", ("name",))]
