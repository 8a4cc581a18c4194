"""A B-tree prefix index on the enterprises' names for the one search's two-character
fragments (``core.search.TRIGRAM_MIN``), PostgreSQL only (``core.trigram.prefix_operation``)."""

from django.db import migrations

from streetbrain.core.trigram import prefix_operation


class Migration(migrations.Migration):
    dependencies = [("economy", "0002_figure_areas")]

    operations = [prefix_operation("economy_enterprise", ("name",))]
