"""The building brain's kinds in the one search: office towers (found as towers, with their
own page, not again as registry buildings) and enterprises by name or credit code (on the
map at their tower: the one of their lease in force with the most space, else of their
latest lease; one without a tower is not on the map)."""

from django.db.models import Case as Cond
from django.db.models import Exists, OuterRef, Value, When
from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider
from streetbrain.core.search import at_point, has_point

from .models import Lease, OfficeBuilding


def _towers_of(user):
    """Registry buildings that are office towers the user may see."""
    return Exists(OfficeBuilding.objects.restrict(user).filter(building=OuterRef("pk")))


def _located():
    return Exists(
        Lease.objects.filter(enterprise=OuterRef("pk"), building__building__lon__isnull=False)
    )


def _locate_enterprises(enterprises) -> dict:
    towers: dict[int, tuple] = {}
    leases = (
        Lease.objects.filter(
            enterprise_id__in=[e.pk for e in enterprises], building__building__lon__isnull=False
        )
        .annotate(ended=Cond(When(state=Lease.State.ACTIVE, then=Value(0)), default=Value(1)))
        .order_by("enterprise_id", "ended", "-area_m2", "-end_date", "-pk")
        .values_list(
            "enterprise_id", "building__building__name", "building__building__lon",
            "building__building__lat",
        )
    )  # fmt: skip
    for enterprise_id, *tower in leases:
        towers.setdefault(enterprise_id, tuple(tower))
    out = {}
    for e in enterprises:
        if e.pk in towers:
            name, lon, lat = towers[e.pk]
            out[e.pk] = {"lon": lon, "lat": lat, "detail": f"{name} · {e.credit_code}"}
    return out


PROVIDERS = [
    SearchProvider(
        "towers",
        _("Office buildings"),
        "economy.OfficeBuilding",
        name="building__name",
        describe=lambda t: t.building.address,
        select_related=("building",),
        order=35,
        map_kind="tower",
        map_order=40,
        map_filter=has_point("building__lon", "building__lat"),
        locate=at_point("building.lon", "building.lat"),
        map_detail=lambda t: t.building.address,
        shadows={"buildings": _towers_of},
    ),
    SearchProvider(
        "enterprises",
        _("Enterprises"),
        "economy.Enterprise",
        codes=("credit_code",),
        describe=lambda e: e.credit_code,
        order=45,
        map_kind="enterprise",
        map_order=80,
        map_filter=_located,
        locate=_locate_enterprises,
    ),
]
