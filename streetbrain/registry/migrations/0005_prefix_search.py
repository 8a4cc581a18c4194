"""B-tree prefix indexes on the names the one search looks up by their beginning (residents,
buildings, shops, facilities) for two-character fragments (``core.search.TRIGRAM_MIN``),
PostgreSQL only (``core.trigram.prefix_operation``)."""

from django.db import migrations

from streetbrain.core.trigram import prefix_operation


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_trigram_search")]

    operations = [
        prefix_operation("registry_resident", ("name",)),
        prefix_operation("registry_building", ("name",)),
        prefix_operation("registry_shop", ("name",)),
        prefix_operation("registry_facility", ("name",)),
    ]
