from streetbrain.core.generic import Column, ObjectDetailView, ObjectListView

from .models import Well


class WellListView(ObjectListView):
    model = Well
    columns = [Column("name", link=True), Column("depth_m"), Column("org_unit")]


class WellDetailView(ObjectDetailView):
    model = Well
    fields = [Column("name"), Column("depth_m"), Column("org_unit")]
