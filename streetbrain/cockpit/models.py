"""The cockpit's own precomputed figures: the density of cases on the map."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from streetbrain.core.models import OrgUnit


class CaseDensity(models.Model):
    """How many cases were reported in one month in one square of about 100 m (a base bin at
    zoom 16) of one grid cell. The map's history layer sums these for any period and zoom
    instead of grouping a year of cases per request; ``density.refresh`` recomputes them
    from the cases (every 15 minutes for the last two months, all months on demand)."""

    month = models.DateField(_("month"))
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("grid cell"), on_delete=models.CASCADE, related_name="+"
    )
    bx = models.IntegerField()  # floor(lon / BASE)
    by = models.IntegerField()  # floor(lat / BASE)
    cases = models.PositiveIntegerField(_("cases"))

    class Meta:
        verbose_name = _("case density")
        verbose_name_plural = _("case densities")
        indexes = [models.Index(fields=["month", "bx", "by"], name="cockpit_density_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.bx},{self.by}: {self.cases}"
