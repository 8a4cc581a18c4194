"""A B-tree prefix index on the cases' titles for the one search's two-character fragments
(``core.search.TRIGRAM_MIN``), PostgreSQL only (``core.trigram.prefix_operation``)."""

from django.db import migrations

from streetbrain.core.trigram import prefix_operation


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_trigram_search")]

    operations = [prefix_operation("cases_case", ("title",))]
