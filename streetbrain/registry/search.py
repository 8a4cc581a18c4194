"""The registry's kinds in the one search: residents by name or exact ID number/phone,
houses, buildings, street shops (name, address or credit code), facilities (object id,
name or class) and OpenStreetMap's landmarks; all but residents and houses on the map too."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetbrain.core.extension_points import SearchProvider
from streetbrain.core.identifiers import is_valid_id_number
from streetbrain.core.protected import lookup, normalise_id_number, normalise_phone
from streetbrain.core.search import at_point, has_point

from .models import Place, Resident


def _resident_exact(q: str):
    value = normalise_id_number(q)
    if len(value) == 18 and is_valid_id_number(value):
        return Q(**lookup(Resident, "id_number", value))
    phone = normalise_phone(q)
    if phone.isdigit() and 7 <= len(phone) <= 12:
        return Q(**lookup(Resident, "phone", phone))
    return None


def _facility_title(f) -> str:
    """Unnamed facilities go by their class and serial."""
    return f.name or f"{f.component_class.name} {f.object_id[-6:]}"


def _facility_detail(f) -> str:
    first = f.component_class.name if f.name else f.object_id
    return " · ".join(v for v in (first, f.address) if v)


def _landmarks(user):
    # OpenStreetMap's named places are public and unscoped; they are shown with the
    # buildings' permission, like their layer.
    return Place.objects.all()


PROVIDERS = [
    SearchProvider(
        "residents",
        _("Residents"),
        "registry.Resident",
        exact=_resident_exact,
        describe=lambda r: (
            f"{r.get_sex_display()} · {r.age} · {r.id_number_masked} · {r.org_unit.name}"
        ),
        select_related=("org_unit",),
        order=20,
    ),
    SearchProvider(
        "buildings",
        _("Buildings"),
        "registry.Building",
        codes=("code",),
        others=("address", "compound"),
        describe=lambda b: f"{b.address} · {b.org_unit.name}",
        select_related=("org_unit",),
        order=30,
        map_kind="building",
        map_order=30,
        map_filter=has_point(),
        locate=at_point(),
        map_detail=lambda b: b.address,
    ),
    SearchProvider(
        "houses",
        _("Houses"),
        "registry.House",
        name="building__name",
        describe=lambda h: f"{h.get_use_display()} · {h.area_m2} m²",
        select_related=("building",),
        order=40,
        min_length=2,
    ),
    SearchProvider(
        "shops",
        _("Street shops"),
        "registry.Shop",
        codes=("credit_code",),
        others=("address", "operator"),
        describe=lambda s: f"{s.industry.name} · {s.address}",
        select_related=("industry", "building"),
        order=50,
        map_kind="shop",
        map_order=50,
        # A shop without a position of its own is found at its building's.
        map_filter=has_point("lon", "lat", ("building__lon", "building__lat")),
        locate=at_point("lon", "lat", ("building.lon", "building.lat")),
        map_detail=lambda s: s.address,
    ),
    SearchProvider(
        "landmarks",
        _("Landmarks (OpenStreetMap)"),
        "registry.Place",
        queryset=_landmarks,
        permission="registry.view_building",
        order=55,
        in_search=False,
        map_kind="landmark",
        map_order=60,
        map_filter=has_point(),
        locate=at_point(),
        map_detail=lambda p: str(p.get_kind_display()),
    ),
    SearchProvider(
        "facilities",
        _("Facilities"),
        "registry.Facility",
        codes=("object_id",),
        others=("component_class__name",),
        describe=lambda f: f"{f.component_class.name} · {f.get_state_display()}",
        select_related=("component_class",),
        order=60,
        min_length=2,
        map_kind="facility",
        map_order=70,
        map_filter=has_point(),
        locate=at_point(),
        map_title=_facility_title,
        map_detail=_facility_detail,
    ),
]
