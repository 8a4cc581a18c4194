"""Serializers of 招商's API: the whitelist's entries with their factors, the leads, a lead's
space matches with their score's parts, the parks with their criteria's progress."""

from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import Lead, Park, WhitelistEntry


class FactorSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    normalised = serializers.FloatField()
    weight = serializers.FloatField()
    contribution = serializers.FloatField()


class WhitelistEntrySerializer(ScopedModelSerializer):
    factors = FactorSerializer(many=True, read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True)

    class Meta:
        model = WhitelistEntry
        fields = [
            "id",
            "run",
            "level",
            "code",
            "name",
            "section",
            "score",
            "rank",
            "enterprises",
            "area_m2",
            "decision",
            "decision_reason",
            "factors",
        ]
        read_only_fields = fields


class LeadSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:investment:lead-detail")
    industry_code = serializers.CharField(source="industry.code", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "url",
            "name",
            "credit_code",
            "industry_code",
            "industry_name",
            "area_min_m2",
            "area_max_m2",
            "rent_budget",
            "preferred_grade",
            "move_in_by",
            "source",
            "owner",
            "expected_annual_tax",
            "expected_headcount",
            "opened_on",
            "stage",
            "stage_changed_on",
            "lost_reason",
            "enterprise",
            "lease",
            "data_source",
        ]
        read_only_fields = fields


class MatchUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    area_m2 = serializers.FloatField()


class MatchPartsSerializer(serializers.Serializer):
    area = serializers.FloatField()
    rent = serializers.FloatField()
    grade = serializers.FloatField()
    chain = serializers.FloatField()
    cluster = serializers.FloatField()
    vacancy = serializers.FloatField()
    learned = serializers.FloatField(
        required=False,
        help_text="Learned from the street's new leases; absent when the history is too short.",
    )


class SpaceMatchSerializer(serializers.Serializer):
    building = serializers.CharField()
    building_id = serializers.IntegerField()
    building_code = serializers.CharField()
    floor = serializers.CharField()
    units = MatchUnitSerializer(many=True)
    area_m2 = serializers.FloatField()
    asking_rent = serializers.FloatField(allow_null=True)
    score = serializers.FloatField()
    parts = MatchPartsSerializer()
    weights = serializers.DictField(child=serializers.IntegerField())
    reasons = serializers.ListField(child=serializers.CharField())


class CriterionSerializer(serializers.Serializer):
    label = serializers.CharField(source="criterion.label")
    metric = serializers.CharField(source="criterion.metric")
    target = serializers.FloatField()
    current = serializers.FloatField()
    gap = serializers.FloatField()
    met = serializers.BooleanField()


class ParkSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:investment:park-detail")
    building_name = serializers.CharField(source="building.building.name", read_only=True)
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Park
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "building",
            "building_name",
            "target_level",
            "criteria",
            "data_source",
        ]
        read_only_fields = fields

    def get_criteria(self, obj) -> list[dict]:
        from .. import parks

        return CriterionSerializer(parks.progress(obj), many=True).data
