"""Seed data of the case workflow: time limits, routing rules and service questions."""

from streetbrain.cases import codes
from streetbrain.cases.intake import pipeline
from streetbrain.cases.models import RoutingRule, ServiceAttribute, TimeLimitStandard


def test_time_limits_are_seeded_after_migrate_and_never_overwritten(db):
    count = TimeLimitStandard.objects.count()
    assert count >= 30
    garbage = TimeLimitStandard.objects.get(component_class__code="06010", condition="")
    assert (garbage.limit_amount, garbage.limit_unit) == (4, "work_hour")
    garbage.limit_amount = 6
    garbage.save()
    assert codes.load_time_limits() == 0
    garbage.refresh_from_db()
    assert garbage.limit_amount == 6
    # 违法搭建 has conditions: 制止施工 within 4 working hours.
    stop = TimeLimitStandard.objects.get(component_class__code="06001", condition="制止施工")
    assert (stop.limit_amount, stop.limit_unit) == (4, "work_hour")


def test_routing_rules_load_only_for_existing_departments(departments):
    created = codes.load_routing_rules()
    # Only 城管 (cg) exists among the demo's departments here: the default rule and 违法搭建.
    assert created == 2
    assert set(RoutingRule.objects.values_list("department__code", flat=True)) == {"cg"}
    assert codes.load_routing_rules() == 0
    assert pipeline.route(pipeline.class_for_label("matter:06027"), None) == departments["urban"]


def test_service_questions_load_once(db):
    created = codes.load_service_attributes()
    assert created == ServiceAttribute.objects.count() >= 9
    assert codes.load_service_attributes() == 0
    noise = ServiceAttribute.objects.get(component_class__code="06028", code="source")
    assert noise.datatype == "singlevaluelist" and noise.required
    assert {"key": "music", "name": "广场舞/音响"} in noise.values
