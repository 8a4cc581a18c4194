from django.db import models

from streetbrain.core.models import PlatformModel


class Well(PlatformModel):
    """A historical well (古井) in a grid cell: scoped, audited and linked like any registry
    object, by inheriting the platform's base model."""

    name = models.CharField("name", max_length=100)
    depth_m = models.DecimalField("depth (m)", max_digits=5, decimal_places=1, null=True)
    lon = models.FloatField("longitude", null=True, blank=True)
    lat = models.FloatField("latitude", null=True, blank=True)

    url_name = "exampleapp:well_detail"

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
