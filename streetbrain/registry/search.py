"""The registry's search providers: residents by name or exact ID number/phone, houses,
buildings, shops (name or credit code), facilities (object id or class)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from streetbrain.core.identifiers import is_valid_id_number
from streetbrain.core.protected import lookup, normalise_id_number, normalise_phone
from streetbrain.core.search import SearchProvider, register

from .models import Building, Facility, House, Resident, Shop


def _resident_exact(q: str):
    value = normalise_id_number(q)
    if len(value) == 18 and is_valid_id_number(value):
        return Q(**lookup(Resident, "id_number", value))
    phone = normalise_phone(q)
    if phone.isdigit() and 7 <= len(phone) <= 12:
        return Q(**lookup(Resident, "phone", phone))
    return None


register(
    SearchProvider(
        "residents",
        Resident,
        _("Residents"),
        ("name",),
        exact=_resident_exact,
        describe=lambda r: (
            f"{r.get_sex_display()} · {r.age} · {r.id_number_masked} · {r.org_unit.name}"
        ),
        select_related=("org_unit",),
        order=20,
    )
)
register(
    SearchProvider(
        "buildings",
        Building,
        _("Buildings"),
        ("name", "address", "compound"),
        exact=lambda q: Q(code=q) if q.isdigit() else None,
        describe=lambda b: f"{b.address} · {b.org_unit.name}",
        select_related=("org_unit",),
        order=30,
    )
)
register(
    SearchProvider(
        "houses",
        House,
        _("Houses"),
        ("building__name",),
        exact=None,
        describe=lambda h: f"{h.get_use_display()} · {h.area_m2} m²",
        select_related=("building",),
        order=40,
        min_length=2,
    )
)
register(
    SearchProvider(
        "shops",
        Shop,
        _("Street shops"),
        ("name", "address", "operator"),
        exact=lambda q: Q(credit_code=q.upper()) if len(q) == 18 else None,
        describe=lambda s: f"{s.industry.name} · {s.address}",
        select_related=("industry",),
        order=50,
    )
)
register(
    SearchProvider(
        "facilities",
        Facility,
        _("Facilities"),
        ("name", "component_class__name"),
        exact=lambda q: Q(object_id=q) if q.isdigit() else None,
        describe=lambda f: f"{f.component_class.name} · {f.get_state_display()}",
        select_related=("component_class",),
        order=60,
        min_length=2,
    )
)
