"""Serializers of the building economy's API: read-only representations of the rows, and the
inputs of the move-out warning's steps (the actions validate them further)."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from .. import evidence
from ..models import (
    Enterprise,
    EnterpriseEvent,
    Lease,
    MonthlyFigure,
    MoveOutWarning,
    OfficeBuilding,
    Unit,
    WarningEvent,
)


class OfficeBuildingSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:economy:building-detail")
    code = serializers.CharField(source="building.code", read_only=True)
    name = serializers.CharField(source="building.name", read_only=True)
    address = serializers.CharField(source="building.address", read_only=True)
    kind = serializers.CharField(source="building.kind", read_only=True)
    lon = serializers.FloatField(source="building.lon", read_only=True, allow_null=True)
    lat = serializers.FloatField(source="building.lat", read_only=True, allow_null=True)
    floors_above = serializers.IntegerField(source="building.floors_above", read_only=True)
    property_manager = serializers.CharField(source="building.property_manager", read_only=True)
    grid = serializers.CharField(source="org_unit.code", read_only=True)
    community = serializers.CharField(source="org_unit.parent.code", read_only=True)
    leader_name = serializers.SerializerMethodField()
    chain = serializers.SlugRelatedField(slug_field="code", read_only=True)
    units_area_m2 = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = OfficeBuilding
        fields = [
            "id",
            "url",
            "code",
            "name",
            "address",
            "kind",
            "grid",
            "community",
            "lon",
            "lat",
            "floors_above",
            "grade",
            "owner",
            "manager",
            "property_manager",
            "leader",
            "leader_name",
            "chain",
            "signature_industry",
            "signature_share",
            "leasable_area_m2",
            "units_area_m2",
            "osm_ref",
            "data_source",
            "updated_at",
        ]
        read_only_fields = fields

    def get_leader_name(self, obj) -> str:
        return str(obj.leader) if obj.leader_id else ""


class UnitSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:economy:unit-detail")
    building_code = serializers.CharField(source="building.building.code", read_only=True)
    floor = serializers.IntegerField(source="floor.number", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "url",
            "building",
            "building_code",
            "floor",
            "code",
            "area_m2",
            "status",
            "asking_rent",
            "updated_at",
        ]
        read_only_fields = fields


class EnterpriseSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:economy:enterprise-detail")
    industry = serializers.CharField(source="industry.code", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    section = serializers.CharField(source="industry.section.code", read_only=True)
    org_unit = serializers.CharField(source="org_unit.code", read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "url",
            "credit_code",
            "name",
            "industry",
            "industry_name",
            "section",
            "founded_on",
            "registered_capital",
            "locally_registered",
            "registered_address",
            "status",
            "status_changed_on",
            "org_unit",
            "data_source",
            "updated_at",
        ]
        read_only_fields = fields


class EnterpriseEventSerializer(ScopedModelSerializer):
    building_code = serializers.CharField(
        source="building.building.code", read_only=True, default=None
    )

    class Meta:
        model = EnterpriseEvent
        fields = [
            "id",
            "kind",
            "date",
            "recorded_at",
            "building",
            "building_code",
            "lease",
            "warning",
            "actor_name",
            "note",
            "data",
        ]
        read_only_fields = fields


class LeaseSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:economy:lease-detail")
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    building_code = serializers.CharField(source="building.building.code", read_only=True)
    units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    effective_rent = serializers.DecimalField(
        max_digits=8, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Lease
        fields = [
            "id",
            "url",
            "contract_number",
            "enterprise",
            "credit_code",
            "enterprise_name",
            "building",
            "building_code",
            "units",
            "area_m2",
            "signed_on",
            "start_date",
            "end_date",
            "rent_free_months",
            "contract_rent",
            "effective_rent",
            "state",
            "ended_on",
            "renewed_from",
            "data_source",
        ]
        read_only_fields = fields


class EvidenceSerializer(serializers.Serializer):
    """One rule's finding: ``rule`` and ``values`` as the rules stored them (for machines),
    ``rule_label`` and ``text`` rendered in the request's language (for people)."""

    rule = serializers.CharField()
    rule_label = serializers.CharField()
    text = serializers.CharField()
    values = serializers.DictField()


class MoveOutWarningSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:economy:warning-detail")
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    assignee_name = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = MoveOutWarning
        fields = [
            "id",
            "url",
            "enterprise",
            "credit_code",
            "enterprise_name",
            "building",
            "raised_on",
            "risk_score",
            "evidence",
            "state",
            "assignee",
            "assignee_name",
            "outcome",
            "closed_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_assignee_name(self, obj) -> str:
        return str(obj.assignee) if obj.assignee_id else ""

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, obj) -> list[dict]:
        return evidence.api_items(obj.evidence)


class WarningEventSerializer(ScopedModelSerializer):
    class Meta:
        model = WarningEvent
        fields = [
            "id",
            "time",
            "action",
            "from_state",
            "to_state",
            "actor_name",
            "visited_on",
            "note",
            "data",
        ]
        read_only_fields = fields


class WarningAssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class WarningVisitSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    note = serializers.CharField(max_length=2000)


class WarningNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class WarningCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=MoveOutWarning.Outcome.choices)
    note = serializers.CharField(max_length=2000)


class MonthlyFigureSerializer(ScopedModelSerializer):
    class Meta:
        model = MonthlyFigure
        exclude = ["unit_path"]
        read_only_fields = [f.name for f in MonthlyFigure._meta.fields if f.name != "unit_path"]
