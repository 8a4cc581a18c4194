"""Serializers of the cases API. They only validate and present: every change goes through
the actions (``cases.intake.actions``, ``cases.workflow.actions``)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer, ScopedSerializer
from streetbrain.core.geo_lookup import locate_point
from streetbrain.core.models import Department, OrgUnit
from streetbrain.core.protected import normalise_phone
from streetbrain.registry.models import Facility

from ..intake import pipeline
from ..models import (
    Case,
    CaseEvent,
    Channel,
    Notification,
    Report,
    RoutingRule,
    Sensor,
    TimeLimitStandard,
    TimeUnit,
)
from ..workflow.clock import clock_of

# The channels a staff client may declare when it enters a report through the API (citizens
# use Open311 and the public page; sensors MQTT).
INTAKE_CHANNELS = ("gridworker", "phone", "hotline", "api", "superior", "media")
MAX_PHOTOS = 6


@extend_schema_field(OpenApiTypes.STR)
class ClassField(serializers.Field):
    """A GB/T 47678.5 class as ``kind:code`` (``matter:06010``); a bare code means the
    matter (事项) of that code."""

    default_error_messages = {
        "unknown": _("Unknown class: give it as matter:06010, component:01001 or a 5-digit code."),
    }

    def to_representation(self, value):
        return pipeline.label_of(value)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            self.fail("unknown")
        found = pipeline.class_for_label(data.strip())
        if found is None:
            self.fail("unknown")
        return found


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value)) if value else ""


# -- cases ------------------------------------------------------------------------------------


class ClockSerializer(serializers.Serializer):
    deadline = serializers.DateTimeField(allow_null=True)
    light = serializers.CharField(help_text="green, yellow, red; empty before dispatch")
    used = serializers.FloatField(allow_null=True, help_text="share of the limit used (0..)")
    running = serializers.BooleanField()
    suspended = serializers.BooleanField()


class CaseSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cases:case-detail")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    component_class = ClassField(read_only=True, allow_null=True)
    class_name = serializers.CharField(
        source="component_class.name", read_only=True, allow_null=True
    )
    grid = serializers.CharField(source="org_unit.code", read_only=True)
    grid_name = serializers.CharField(source="org_unit.name", read_only=True)
    community = serializers.CharField(source="community.code", read_only=True, allow_null=True)
    community_name = serializers.CharField(source="community.name", read_only=True, allow_null=True)
    department = serializers.CharField(source="department.code", read_only=True, allow_null=True)
    department_name = serializers.CharField(
        source="department.name", read_only=True, allow_null=True
    )
    suggested_department = serializers.CharField(
        source="suggested_department.code", read_only=True, allow_null=True
    )
    light_label = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "url",
            "number",
            "title",
            "description",
            "state",
            "state_label",
            "channel",
            "channel_label",
            "component_class",
            "class_name",
            "class_confidence",
            "class_source",
            "needs_triage",
            "grid",
            "grid_name",
            "community",
            "community_name",
            "placed",
            "lon",
            "lat",
            "address",
            "department",
            "department_name",
            "suggested_department",
            "report_count",
            "public",
            "limit_amount",
            "limit_unit",
            "deadline",
            "light",
            "light_label",
            "pending_request",
            "reported_at",
            "accepted_at",
            "registered_at",
            "dispatched_at",
            "handled_at",
            "closed_at",
            "closed_on_time",
            "updated_at",
        ]
        read_only_fields = fields

    def get_light_label(self, obj) -> str:
        return _label(Case.Light.choices, obj.light)


class CaseDetailSerializer(CaseSerializer):
    """A case with its live clock and the counters of the evaluation."""

    clock = serializers.SerializerMethodField()
    sensor = serializers.CharField(source="sensor.device_id", read_only=True, allow_null=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "clock",
            "sensor",
            "pending_request_data",
            "extensions",
            "pauses",
            "rework_count",
            "extension_count",
            "rollback_count",
            "reopen_count",
        ]
        read_only_fields = fields

    @extend_schema_field(ClockSerializer)
    def get_clock(self, obj) -> dict:
        clock = clock_of(obj)
        return ClockSerializer(
            {
                "deadline": clock.deadline,
                "light": clock.light,
                "used": clock.used,
                "running": clock.running,
                "suspended": clock.suspended,
            }
        ).data


class CaseEventSerializer(ScopedModelSerializer):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.CharField(source="actor_name", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "time",
            "action",
            "action_label",
            "from_state",
            "to_state",
            "actor",
            "role",
            "department",
            "note",
            "data",
        ]
        read_only_fields = fields


class ReportSerializer(ScopedModelSerializer):
    """One report of a case. The reporter's phone only ever appears masked; the tracking
    token (the reporter's key to the case) and e-mail are not shown."""

    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    requested_class = ClassField(read_only=True, allow_null=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    split_from = serializers.CharField(source="split_from.number", read_only=True, allow_null=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "case",
            "case_number",
            "is_primary",
            "channel",
            "channel_label",
            "received_at",
            "title",
            "description",
            "requested_class",
            "predicted_label",
            "predicted_confidence",
            "explanation",
            "lon",
            "lat",
            "address",
            "address_id",
            "attributes",
            "media_url",
            "reporter_name",
            "phone",
            "external_id",
            "device_id",
            "merge_score",
            "split_from",
        ]
        read_only_fields = fields


# -- intake -----------------------------------------------------------------------------------

PHONE_CHARS = re.compile(r"^\+?[\d\s\-()（）]+$")


class IntakeSerializer(ScopedSerializer):
    """A report entered by staff or a partner system. Give a description (or a title) and the
    place: ``lon``/``lat`` (WGS-84), an address, a building code as ``address_id`` or a
    facility's object id."""

    channel = serializers.ChoiceField(
        choices=[(c, Channel(c).label) for c in INTAKE_CHANNELS], default="api"
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=pipeline.MAX_DESCRIPTION, required=False, allow_blank=True
    )
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="a building code"
    )
    component_class = ClassField(
        required=False, allow_null=True, help_text="the class if known, e.g. matter:06010"
    )
    facility = serializers.SlugRelatedField(
        slug_field="object_id",
        queryset=Facility.objects.all(),
        required=False,
        allow_null=True,
        help_text="the object id of the facility (部件) concerned",
    )
    attributes = serializers.DictField(required=False)
    media_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    reporter_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="stored encrypted"
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    external_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="e.g. the 12345 work order"
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_PHOTOS
    )

    def validate_phone(self, value):
        value = value.strip()
        if not value:
            return ""
        digits = normalise_phone(value)
        if not PHONE_CHARS.match(value) or not digits.isdigit() or not 5 <= len(digits) <= 15:
            raise serializers.ValidationError(_("Enter a phone number of 5 to 15 digits."))
        return digits


class IntakeResultSerializer(serializers.Serializer):
    report = serializers.IntegerField(help_text="the report's id")
    case = serializers.IntegerField(help_text="the case's id")
    number = serializers.CharField(help_text="the case number")
    state = serializers.CharField()
    state_label = serializers.CharField()
    merged = serializers.BooleanField(help_text="the report joined an open case (最多报一次)")
    replayed = serializers.BooleanField(help_text="the Idempotency-Key was seen before")
    component_class = serializers.CharField(allow_null=True)
    needs_triage = serializers.BooleanField()
    token = serializers.UUIDField(help_text="the reporter's tracking token")


# -- workflow ---------------------------------------------------------------------------------


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    style = serializers.CharField()
    inputs = serializers.ListField(child=serializers.CharField())
    note_required = serializers.BooleanField()


class ActionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    department = serializers.CharField(
        max_length=40, required=False, help_text="department code (or id), for dispatching"
    )
    amount = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, help_text="extension amount"
    )
    unit = serializers.ChoiceField(choices=TimeUnit.choices, required=False)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_PHOTOS
    )


class ReclassifySerializer(serializers.Serializer):
    component_class = ClassField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PlaceSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


# -- reference data ---------------------------------------------------------------------------


class RoutingRuleSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cases:routingrule-detail")
    component_class = ClassField(required=False, allow_null=True)
    class_name = serializers.CharField(
        source="component_class.name", read_only=True, allow_null=True
    )
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=OrgUnit.objects.all(), required=False, allow_null=True
    )
    area_name = serializers.CharField(source="area.name", read_only=True, allow_null=True)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(is_active=True)
    )
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "url",
            "component_class",
            "class_name",
            "major_code",
            "area",
            "area_name",
            "department",
            "department_name",
            "priority",
            "is_active",
            "note",
        ]

    def validate_major_code(self, value):
        if value and not (len(value) == 2 and value.isdigit()):
            raise serializers.ValidationError(_("A major class code has two digits."))
        return value

    def validate(self, attrs):
        def current(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        component_class, major = current("component_class"), current("major_code") or ""
        if component_class is not None and major and component_class.major_code != major:
            raise serializers.ValidationError(
                {"major_code": _("The class belongs to another major class.")}
            )
        return attrs


class TimeLimitSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cases:timelimit-detail")
    component_class = ClassField()
    class_name = serializers.CharField(source="component_class.name", read_only=True)
    limit_amount = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.01")
    )

    class Meta:
        model = TimeLimitStandard
        fields = [
            "id",
            "url",
            "component_class",
            "class_name",
            "condition",
            "filing_condition",
            "limit_amount",
            "limit_unit",
            "closing_condition",
            "duplicate_radius_m",
            "duplicate_window_days",
            "is_active",
        ]
        validators = []  # (class, condition) is checked in validate() with a clear message

    def validate(self, attrs):
        component_class = attrs.get(
            "component_class", getattr(self.instance, "component_class", None)
        )
        condition = attrs.get("condition", getattr(self.instance, "condition", ""))
        clash = TimeLimitStandard.objects.filter(
            component_class=component_class, condition=condition
        )
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"condition": _("This class already has a time limit for this condition.")}
            )
        return attrs


class SensorSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cases:sensor-detail")
    component_class = ClassField(required=False, allow_null=True)
    class_name = serializers.CharField(
        source="component_class.name", read_only=True, allow_null=True
    )
    grid = serializers.SlugRelatedField(
        source="org_unit",
        slug_field="code",
        queryset=OrgUnit.objects.filter(level=OrgUnit.Level.GRID),
        required=False,
        allow_null=True,
        help_text="the grid cell; found from lon/lat when not given",
    )
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)

    class Meta:
        model = Sensor
        fields = [
            "id",
            "url",
            "device_id",
            "name",
            "kind",
            "component_class",
            "class_name",
            "lon",
            "lat",
            "grid",
            "merge_window_minutes",
            "is_active",
            "last_alarm_at",
        ]
        read_only_fields = ["last_alarm_at"]

    def validate_device_id(self, value):
        # The id is a segment of the MQTT topic: no wildcards, separators or spaces.
        if not re.fullmatch(r"[A-Za-z0-9_.:\-]+", value):
            raise serializers.ValidationError(
                _("Use letters, digits and . _ - : only (it is part of the MQTT topic).")
            )
        return value

    def validate(self, attrs):
        def current(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        lon, lat, grid = current("lon"), current("lat"), current("org_unit")
        if (lon is None) != (lat is None):
            raise serializers.ValidationError(
                {
                    "lat" if lat is None else "lon": _(
                        "Give both latitude and longitude, or neither."
                    )
                }
            )
        if lon is not None and ("lon" in attrs or "lat" in attrs or grid is None):
            found = locate_point(lon, lat)
            if found is None:
                raise serializers.ValidationError(
                    {"lon": _("This place lies outside the street's grid cells.")}
                )
            if "org_unit" not in attrs or attrs["org_unit"] is None:
                attrs["org_unit"] = grid = found
        if grid is None:
            raise serializers.ValidationError(
                {"grid": _("Give the sensor's place: a point or a grid cell.")}
            )
        return attrs


class NotificationSerializer(ScopedModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    case_title = serializers.CharField(source="case.title", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "case",
            "case_number",
            "case_title",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
