"""What the platform core contributes through the extension points: the org tree's map
layers and search, its key figures, its entries on the home page and the governance roles
(the street leader, the grid worker, the data administrator) that other apps grant their
permissions to."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import figures as key_figures
from . import maplayers
from .extension_points import Figure, MapLayer, MenuEntry, Role, SearchProvider
from .models import OrgUnit
from .roles import VIEW_ORG
from .search import bbox_of

ABOVE_COMMUNITY = ("city", "district", "street")
ABOVE_GRID = (*ABOVE_COMMUNITY, "community")


# -- search -------------------------------------------------------------------------------------


def _areas(level: str):
    def queryset(user):
        return OrgUnit.objects.restrict(user, "view").filter(level=level, geometry__isnull=False)

    return queryset


def _locate_areas(units) -> dict:
    """An area flies to its outline's box, centred on its centroid."""
    out = {}
    for unit in units:
        bbox = bbox_of(unit.geometry)
        if bbox is None:
            continue
        lon, lat = unit.centroid_lon, unit.centroid_lat
        if lon is None or lat is None:
            lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        out[unit.pk] = {"lon": lon, "lat": lat, "bbox": bbox}
    return out


def _parent_name(unit) -> str:
    return unit.parent.name if unit.parent_id else ""


search_providers = [
    SearchProvider(
        "orgunits",
        _("Org units"),
        "core.OrgUnit",
        exact=lambda q: Q(code=q) if q.isdigit() else None,
        describe=lambda u: f"{u.get_level_display()} · {u.code}",
        order=10,
    ),
    SearchProvider(
        "departments",
        _("Departments"),
        "core.Department",
        describe=lambda d: d.get_kind_display(),
        order=90,
    ),
    *(
        SearchProvider(
            key,
            label,
            "core.OrgUnit",
            codes=("code",),
            queryset=_areas(level),
            select_related=("parent",),
            in_search=False,  # the search box finds them as org units
            map_kind=level,
            map_order=order,
            locate=_locate_areas,
            map_detail=_parent_name,
            order=order,
        )
        for key, label, level, order in (
            ("communities", _("Communities"), OrgUnit.Level.COMMUNITY, 10),
            ("grids", _("Grid cells"), OrgUnit.Level.GRID, 20),
        )
    ),
]

# -- the map ------------------------------------------------------------------------------------

map_layers = [
    MapLayer(
        "street",
        _("Street outline"),
        "core.view_orgunit",
        maplayers.street_layer,
        order=10,
        default_on=True,
        style="areas",
    ),
    MapLayer(
        "communities",
        _("Communities"),
        "core.view_orgunit",
        maplayers.community_layer,
        order=20,
        style="areas",
    ),
    MapLayer(
        "grids",
        _("Grid cells"),
        "core.view_orgunit",
        maplayers.grid_layer,
        order=30,
        default_on=True,
        style="areas",
    ),
]

# -- key figures ------------------------------------------------------------------------------

figures = [
    Figure(
        "communities",
        _("Communities"),
        "",
        lambda units: key_figures.count_descendants(units, "community"),
        "core:community_list",
        10,
        ABOVE_COMMUNITY,
        "core.view_orgunit",
    ),
    Figure(
        "grids",
        _("Grid cells"),
        "",
        lambda units: key_figures.count_descendants(units, "grid"),
        "core:grid_list",
        20,
        ABOVE_GRID,
        "core.view_orgunit",
    ),
    Figure("area_km2", _("Area"), "km²", key_figures.area_km2, "", 30),
    Figure(
        "departments",
        _("Departments"),
        "",
        key_figures.departments,
        "core:department_list",
        40,
        permission="core.view_department",
    ),
    Figure(
        "users",
        _("Staff accounts"),
        "",
        key_figures.users,
        "core:user_list",
        50,
        permission="core.view_user",
    ),
]

# -- the home page ----------------------------------------------------------------------------

menu = [
    MenuEntry(
        "org",
        _("Org tree and grids"),
        "core:orgunit_list",
        _("Street, communities, unit grid cells (块)"),
        "core.view_orgunit",
        order=10,
        group="org",
    ),
    MenuEntry(
        "departments",
        _("Departments"),
        "core:department_list",
        _("Functional departments (条) that handle cases"),
        "core.view_department",
        order=20,
        group="org",
    ),
]

# -- the user's own account (the sidebar's last section; not on the home page: no description)

menu += [
    MenuEntry("api_tokens", _("My API tokens"), "api_tokens", order=10, group="account"),
]

# -- roles --------------------------------------------------------------------------------------

roles = [
    Role(
        "leader",
        _("Street leader"),
        _("Sees the whole street's figures, registers and cases."),
        (*VIEW_ORG, "core.view_user", "core.view_changelogentry"),
        order=10,
    ),
    Role(
        "gridworker",
        _("Grid worker"),
        _("Reports and verifies on site in their grid (网格员)."),
        VIEW_ORG,
        order=50,
    ),
    Role(
        "dataadmin",
        _("Data administrator"),
        _("Maintains org units, departments and users within their unit."),
        (
            *VIEW_ORG,
            "core.add_orgunit",
            "core.change_orgunit",
            "core.add_department",
            "core.change_department",
            "core.delete_department",
            "core.view_user",
            "core.add_user",
            "core.change_user",
            "core.view_changelogentry",
        ),
        order=80,
    ),
]
