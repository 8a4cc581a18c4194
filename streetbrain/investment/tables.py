"""List columns and detail fields of 招商's pages."""

from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import Column

LEAD_COLUMNS = [
    Column("name", link=True, order_by="name"),
    Column("industry"),
    Column("stage", order_by="stage"),
    Column("area_range", label=_("area wanted (m²)")),
    Column("rent_budget", order_by="rent_budget"),
    Column("source"),
    Column("owner"),
    Column("opened_on", order_by="opened_on"),
    Column("stage_changed_on", order_by="stage_changed_on"),
]

LEAD_FIELDS = [
    Column("stage"),
    Column("credit_code"),
    Column("industry"),
    Column("area_range", label=_("area wanted (m²)")),
    Column("rent_budget"),
    Column("preferred_grade"),
    Column("preferred_floor_min"),
    Column("preferred_floor_max"),
    Column("move_in_by"),
    Column("source"),
    Column("owner"),
    Column("expected_annual_tax"),
    Column("expected_headcount"),
    Column("contact_name"),
    Column("opened_on"),
    Column("stage_changed_on"),
    Column("lost_reason"),
    Column("enterprise"),
    Column("lease"),
    Column("notes"),
    Column("data_source"),
]

PARK_COLUMNS = [
    Column("name", link=True, order_by="name"),
    Column("kind"),
    Column("building"),
    Column("target_level"),
]
