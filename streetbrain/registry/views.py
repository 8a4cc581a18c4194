"""Registry pages: each object type is declared on the generic views."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from streetbrain.core.figures import key_figures_for
from streetbrain.core.generic import (
    Column,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectRevealView,
)
from streetbrain.core.models import OrgUnit
from streetbrain.core.scoping import permission_name

from . import filtersets, forms, tables
from .models import (
    RESIDENT_ORDER,
    Building,
    ComponentClass,
    Facility,
    House,
    Household,
    IndustryClass,
    Place,
    Resident,
    Shop,
)

GRID_RELATED = ("org_unit", "org_unit__parent")


class RegistryIndexView(LoginRequiredMixin, TemplateView):
    """人房物 at a glance: what the user's unit holds, with links to each register."""

    template_name = "registry/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        unit = OrgUnit.home_of(user)
        figures = {f["key"]: f for f in key_figures_for(unit, user)} if unit else {}
        registers = []
        for model, key, url in [
            (Resident, "residents", "registry:resident_list"),
            (Household, "households", "registry:household_list"),
            (House, "houses", "registry:house_list"),
            (Building, "buildings", "registry:building_list"),
            (Facility, "facilities", "registry:facility_list"),
            (Shop, "shops", "registry:shop_list"),
        ]:
            if user.has_perm(permission_name(model, "view")):
                registers.append(
                    {
                        "label": model._meta.verbose_name_plural,
                        "value": figures.get(key, {}).get("value"),
                        "url": url,
                    }
                )
        ctx.update(unit=unit, registers=registers)
        return ctx


# --- buildings --------------------------------------------------------------------------------


class BuildingListView(ObjectListView):
    model = Building
    columns = tables.BUILDING_COLUMNS
    filterset_class = filtersets.BuildingFilterSet
    select_related = GRID_RELATED


class BuildingDetailView(ObjectDetailView):
    model = Building
    fields = tables.BUILDING_FIELDS
    select_related = GRID_RELATED

    def related_tables(self, obj):
        user = self.request.user
        out = []
        if user.has_perm("registry.view_house"):
            houses = House.objects.restrict(user).filter(building=obj).order_by("number")
            cols = [Column("number", link=True), Column("floor"), Column("area_m2"), Column("use")]
            out.append(_table(_("Houses"), House, cols, houses))
        if user.has_perm("registry.view_shop"):
            shops = Shop.objects.restrict(user).filter(building=obj)
            cols = [Column("name"), Column("industry", _("business type")), Column("status")]
            out.append(_table(_("Street shops"), Shop, cols, shops.select_related("industry")))
        return [t for t in out if t["rows"]]


def _table(title, model, columns, queryset, limit=200):
    rows = list(queryset[:limit])
    return {
        "title": title,
        "columns": [c.header(model) for c in columns],
        "rows": [(obj, [c.value(obj) for c in columns]) for obj in rows],
    }


class BuildingEditView(ObjectEditView):
    model = Building
    form_class = forms.BuildingForm


class BuildingDeleteView(ObjectDeleteView):
    model = Building


# --- houses -----------------------------------------------------------------------------------


class HouseListView(ObjectListView):
    model = House
    columns = tables.HOUSE_COLUMNS
    filterset_class = filtersets.HouseFilterSet
    select_related = ("building", *GRID_RELATED)


class HouseDetailView(ObjectDetailView):
    model = House
    fields = tables.HOUSE_FIELDS
    select_related = ("building", *GRID_RELATED)

    def related_tables(self, obj):
        user = self.request.user
        if not user.has_perm("registry.view_resident"):
            return []
        residents = Resident.objects.restrict(user).filter(house=obj)
        cols = [
            Column("name", link=True),
            Column("sex"),
            Column("age", _("age")),
            Column("relation"),
            Column("residence"),
        ]
        table = _table(_("Residents"), Resident, cols, residents)
        return [table] if table["rows"] else []


class HouseEditView(ObjectEditView):
    model = House
    form_class = forms.HouseForm


class HouseDeleteView(ObjectDeleteView):
    model = House


# --- households -------------------------------------------------------------------------------


class HouseholdListView(ObjectListView):
    model = Household
    columns = tables.HOUSEHOLD_COLUMNS
    filterset_class = filtersets.HouseholdFilterSet
    select_related = ("house", "house__building", *GRID_RELATED)


class HouseholdDetailView(ObjectDetailView):
    model = Household
    fields = tables.HOUSEHOLD_FIELDS
    select_related = ("house", "house__building", *GRID_RELATED)

    def related_tables(self, obj):
        user = self.request.user
        if not user.has_perm("registry.view_resident"):
            return []
        members = Resident.objects.restrict(user).filter(household=obj)
        cols = [
            Column("name", link=True),
            Column("relation"),
            Column("sex"),
            Column("age", _("age")),
            Column("residence"),
        ]
        return [_table(_("Members"), Resident, cols, members)]


class HouseholdEditView(ObjectEditView):
    model = Household
    form_class = forms.HouseholdForm


class HouseholdDeleteView(ObjectDeleteView):
    model = Household


# --- residents --------------------------------------------------------------------------------


class ResidentListView(ObjectListView):
    model = Resident
    columns = tables.RESIDENT_COLUMNS
    filterset_class = filtersets.ResidentFilterSet
    select_related = ("house", "house__building", *GRID_RELATED)
    # By grid cell, then as registered (``RESIDENT_ORDER``).
    default_order = RESIDENT_ORDER


class ResidentDetailView(ObjectDetailView):
    model = Resident
    fields = tables.RESIDENT_FIELDS
    select_related = ("house", "house__building", "household", *GRID_RELATED)


class ResidentEditView(ObjectEditView):
    model = Resident
    form_class = forms.ResidentForm


class ResidentDeleteView(ObjectDeleteView):
    model = Resident


class ResidentRevealView(ObjectRevealView):
    model = Resident


# --- facilities -------------------------------------------------------------------------------


class FacilityListView(ObjectListView):
    model = Facility
    columns = tables.FACILITY_COLUMNS
    filterset_class = filtersets.FacilityFilterSet
    select_related = ("component_class", "maintainer", *GRID_RELATED)


class FacilityDetailView(ObjectDetailView):
    model = Facility
    fields = tables.FACILITY_FIELDS
    select_related = ("component_class", "owner", "maintainer", *GRID_RELATED)


class FacilityEditView(ObjectEditView):
    model = Facility
    form_class = forms.FacilityForm


class FacilityDeleteView(ObjectDeleteView):
    model = Facility


# --- shops (一表通查) -------------------------------------------------------------------------


class ShopListView(ObjectListView):
    """一表通查: every shop with its licence, inspection and (from the case engine, a
    ``ListExtra``) its cases, one row each."""

    model = Shop
    title = _("Street shops (一表通查)")
    columns = tables.SHOP_COLUMNS
    filterset_class = filtersets.ShopFilterSet
    select_related = ("industry", *GRID_RELATED)
    # Counts other apps add group the rows, and a grouped query drops the model's ordering.
    default_order = ("name", "pk")


class ShopDetailView(ObjectDetailView):
    """A shop; its cases come from the case engine (a ``RelatedPanel``)."""

    model = Shop
    fields = tables.SHOP_FIELDS
    select_related = ("industry", "industry__section", "building", *GRID_RELATED)
    template_name = "registry/shop_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        shop = ctx["object"]
        if shop.lon is not None:
            ctx["map_url"] = (
                reverse("cockpit:map") + f"?at={shop.lon:.6f},{shop.lat:.6f},18&layers=shops,cases"
            )
        return ctx


class ShopEditView(ObjectEditView):
    model = Shop
    form_class = forms.ShopForm


class ShopDeleteView(ObjectDeleteView):
    model = Shop


class ShopRevealView(ObjectRevealView):
    model = Shop


# --- named places and code tables (read-only reference) ---------------------------------------


class PlaceListView(ObjectListView):
    model = Place
    columns = tables.PLACE_COLUMNS
    filterset_class = filtersets.PlaceFilterSet
    select_related = ("org_unit",)
    template_name = "registry/place_list.html"


class PlaceDetailView(ObjectDetailView):
    model = Place
    fields = tables.PLACE_FIELDS
    select_related = ("org_unit",)
    template_name = "registry/place_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        place = ctx["object"]
        ctx["geojson"] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": place.geometry,
                    "properties": {"name": place.name, "role": "self", "url": ""},
                }
            ],
        }
        return ctx


class ComponentClassListView(ObjectListView):
    model = ComponentClass
    title = _("GB/T 47678.5-2026 components and matters")
    columns = tables.COMPONENT_CLASS_COLUMNS
    filterset_class = filtersets.ComponentClassFilterSet
    paginate_by = 100


class IndustryClassListView(ObjectListView):
    model = IndustryClass
    title = _("GB/T 4754-2017 industry classes")
    columns = tables.INDUSTRY_CLASS_COLUMNS
    filterset_class = filtersets.IndustryClassFilterSet
    select_related = ("section",)
    paginate_by = 100
