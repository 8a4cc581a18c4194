"""List columns and detail fields of the registry's object types."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import Column

GRID = Column("org_unit.name", _("grid cell"))
COMMUNITY = Column("community.name", _("community"))

BUILDING_COLUMNS = [
    Column("code", order_by="code", link=True),
    Column("name", order_by="name", link=True),
    Column("kind", order_by="kind"),
    Column("compound", order_by="compound"),
    Column("floors_above", order_by="floors_above"),
    COMMUNITY,
    GRID,
]
BUILDING_FIELDS = [
    Column("code"),
    Column("name"),
    Column("kind"),
    Column("compound"),
    Column("address"),
    Column("floors_above"),
    Column("floors_below"),
    Column("gross_area_m2"),
    Column("year_built"),
    Column("property_manager"),
    COMMUNITY,
    GRID,
    Column("lon"),
    Column("lat"),
    Column("data_source"),
]

HOUSE_COLUMNS = [
    Column("building.name", _("building"), link=True),
    Column("number", order_by="number", link=True),
    Column("floor", order_by="floor"),
    Column("area_m2", order_by="area_m2"),
    Column("use", order_by="use"),
    GRID,
]
HOUSE_FIELDS = [
    Column("building"),
    Column("number"),
    Column("floor"),
    Column("area_m2"),
    Column("use"),
    COMMUNITY,
    GRID,
    Column("data_source"),
]

HOUSEHOLD_COLUMNS = [
    Column("code", order_by="code", link=True),
    Column("kind", order_by="kind"),
    Column("house", _("house")),
    GRID,
]
HOUSEHOLD_FIELDS = [Column("code"), Column("kind"), Column("house"), COMMUNITY, GRID]

RESIDENT_COLUMNS = [
    Column("name", order_by="name", link=True),
    Column("sex", order_by="sex"),
    Column("age", _("age")),
    Column("id_number_masked", _("ID number")),
    Column("phone_masked", _("phone")),
    Column("residence", order_by="residence"),
    Column("house", _("house")),
    GRID,
]
RESIDENT_FIELDS = [
    Column("name"),
    Column("sex"),
    Column("birth_date"),
    Column("age", _("age")),
    Column("residence"),
    Column("household"),
    Column("relation"),
    Column("house"),
    Column("tags_display", _("tags")),
    COMMUNITY,
    GRID,
    Column("data_source"),
]

FACILITY_COLUMNS = [
    Column("object_id", order_by="object_id", link=True),
    Column("component_class", _("class")),
    Column("name", order_by="name"),
    Column("state", order_by="state"),
    Column("maintainer", _("maintaining department")),
    GRID,
]
FACILITY_FIELDS = [
    Column("object_id"),
    Column("component_class"),
    Column("component_class.major_name", _("major class")),
    Column("name"),
    Column("state"),
    Column("address"),
    Column("owner"),
    Column("maintainer"),
    Column("installed_on"),
    Column("lon"),
    Column("lat"),
    COMMUNITY,
    GRID,
    Column("data_source"),
]

SHOP_COLUMNS = [
    Column("name", order_by="name", link=True),
    Column("credit_code", order_by="credit_code"),
    Column("licence_no", order_by="licence_no"),
    Column("industry", _("business type")),
    Column("address"),
    Column("operator"),
    Column("phone_masked", _("phone")),
    Column("status", order_by="status"),
    Column("inspection", order_by="inspection"),
    Column("inspected_on", order_by="inspected_on"),
    GRID,
]
# Shown to users who may see cases (the list annotates the counts).
SHOP_FIELDS = [
    Column("name"),
    Column("credit_code"),
    Column("licence_no"),
    Column("industry"),
    Column("industry.section", _("section")),
    Column("building"),
    Column("address"),
    Column("operator"),
    Column("status"),
    Column("inspection"),
    Column("inspected_on"),
    COMMUNITY,
    GRID,
    Column("lon"),
    Column("lat"),
    Column("data_source"),
]

PLACE_COLUMNS = [
    Column("name", order_by="name", link=True),
    Column("kind", order_by="kind"),
    Column("org_unit.name", _("grid cell")),
    Column("attribution"),
]
PLACE_FIELDS = [
    Column("name"),
    Column("kind"),
    Column("osm_ref"),
    Column("lon"),
    Column("lat"),
    Column("org_unit", _("grid cell")),
    Column("attribution"),
]
COMPONENT_CLASS_COLUMNS = [
    Column("kind", order_by="kind"),
    Column("major_code", order_by="major_code"),
    Column("major_name"),
    Column("code", order_by="code"),
    Column("name", order_by="name"),
]
INDUSTRY_CLASS_COLUMNS = [
    Column("section", order_by="section__code"),
    Column("division", order_by="division"),
    Column("group"),
    Column("code", order_by="code"),
    Column("name", order_by="name"),
]
