"""List columns of the case pages and the columns of the case list's Excel export."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from streetbrain.core.generic import Column

CASE_COLUMNS = [
    Column("number", order_by="number", link=True),
    Column("title", order_by="title", link=True),
    Column("component_class", _("class"), order_by="component_class__code"),
    Column("state", order_by="state"),
    Column("org_unit.name", _("grid cell"), order_by="org_unit__code"),
    Column("department.name", _("department"), order_by="department__name"),
    Column("report_count", _("reports"), order_by="report_count"),
    Column("reported_at", order_by="reported_at"),
    Column("deadline", order_by="deadline"),
]

ROUTING_COLUMNS = [
    Column("priority", order_by="priority"),
    Column("component_class", order_by="component_class__code"),
    Column("major_code", order_by="major_code"),
    Column("area.name", _("area"), order_by="area__path"),
    Column("department.name", _("department"), order_by="department__name"),
    Column("is_active", order_by="is_active"),
    Column("note"),
]

TIMELIMIT_COLUMNS = [
    Column("component_class", order_by="component_class__code"),
    Column("condition", order_by="condition"),
    Column("limit_amount", order_by="limit_amount"),
    Column("limit_unit", order_by="limit_unit"),
    Column("filing_condition"),
    Column("closing_condition"),
    Column("duplicate_radius_m", order_by="duplicate_radius_m"),
    Column("is_active", order_by="is_active"),
]

SENSOR_COLUMNS = [
    Column("device_id", order_by="device_id"),
    Column("name", order_by="name"),
    Column("kind", order_by="kind"),
    Column("component_class"),
    Column("org_unit.name", _("grid cell"), order_by="org_unit__code"),
    Column("is_active", order_by="is_active"),
    Column("last_alarm_at", order_by="last_alarm_at"),
]

# The Excel export of the case list: (header, value of a case). The headers are data, not UI
# text (as in every export of the platform): Chinese and stable whatever the page language.
EXPORT_COLUMNS = [
    ("案件编号", lambda c: c.number),
    ("标题", lambda c: c.title),
    ("问题描述", lambda c: c.description),
    ("状态", lambda c: c.get_state_display()),
    ("来源渠道", lambda c: c.get_channel_display()),
    ("大类", lambda c: c.component_class.major_name if c.component_class else ""),
    ("小类编码", lambda c: c.component_class.code if c.component_class else ""),
    ("小类", lambda c: c.component_class.name if c.component_class else ""),
    ("待人工分类", lambda c: "是" if c.needs_triage else ""),
    ("社区", lambda c: c.community.name if c.community else ""),
    ("网格编码", lambda c: c.org_unit.code if c.placed else ""),
    ("网格", lambda c: c.org_unit.name if c.placed else ""),
    ("地址", lambda c: c.address),
    ("经度", lambda c: c.lon),
    ("纬度", lambda c: c.lat),
    ("处置部门", lambda c: c.department.name if c.department else ""),
    ("上报人次", lambda c: c.report_count),
    ("上报时间", lambda c: c.reported_at),
    ("立案时间", lambda c: c.registered_at),
    ("派遣时间", lambda c: c.dispatched_at),
    ("处置完成时间", lambda c: c.handled_at),
    ("结案时间", lambda c: c.closed_at),
    ("处置时限", lambda c: _limit(c)),
    ("截止时间", lambda c: c.deadline),
    ("时效", lambda c: c.get_light_display() if c.light else ""),
    ("返工次数", lambda c: c.rework_count),
]


def _limit(case) -> str:
    if case.limit_amount is None or not case.limit_unit:
        return ""
    return f"{float(case.limit_amount):g} {case.get_limit_unit_display()}"
