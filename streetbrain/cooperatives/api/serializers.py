"""The cooperatives as the API gives them: each with its colour, score and the indicators of
its latest grade (value, points, weight, contribution), and its yearly accounts."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import AnnualAccount, Colour, Cooperative


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    weight = serializers.DecimalField(max_digits=4, decimal_places=2)
    bad = serializers.DecimalField(max_digits=10, decimal_places=2)
    good = serializers.DecimalField(max_digits=10, decimal_places=2)
    value = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    points = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    contribution = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class CooperativeSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:cooperatives:cooperative-detail")
    community = serializers.CharField(source="org_unit.code", read_only=True)
    community_name = serializers.CharField(source="org_unit.name", read_only=True)
    colour = serializers.ChoiceField(choices=Colour.choices, read_only=True, allow_blank=True)
    indicators = serializers.SerializerMethodField()
    computed_colour = serializers.SerializerMethodField()
    override_reason = serializers.SerializerMethodField()
    graded_at = serializers.SerializerMethodField()
    exit_stage = serializers.SerializerMethodField()

    class Meta:
        model = Cooperative
        fields = [
            "id",
            "url",
            "name",
            "credit_code",
            "former_village",
            "community",
            "community_name",
            "chair",
            "status",
            "colour",
            "score",
            "computed_colour",
            "override_reason",
            "graded_at",
            "indicators",
            "exit_stage",
            "data_source",
        ]

    @staticmethod
    def _grade(obj):
        grades = getattr(obj, "latest_grades", None)
        if grades is None:
            return obj.grades.order_by("-graded_at", "-pk").first()
        return grades[0] if grades else None

    @extend_schema_field(IndicatorSerializer(many=True))
    def get_indicators(self, obj) -> list:
        grade = self._grade(obj)
        return IndicatorSerializer(grade.indicators if grade else [], many=True).data

    def get_computed_colour(self, obj) -> str | None:
        grade = self._grade(obj)
        return grade.computed_colour if grade else None

    def get_override_reason(self, obj) -> str:
        grade = self._grade(obj)
        return grade.override_reason if grade else ""

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_graded_at(self, obj):
        grade = self._grade(obj)
        return serializers.DateTimeField().to_representation(grade.graded_at) if grade else None

    def get_exit_stage(self, obj) -> str | None:
        process = getattr(obj, "exit_process", None)
        return process.stage if process else None


class AnnualAccountSerializer(ScopedModelSerializer):
    cooperative = serializers.CharField(source="cooperative.credit_code", read_only=True)

    class Meta:
        model = AnnualAccount
        fields = [
            "id",
            "cooperative",
            "year",
            "income",
            "net_income",
            "distribution_per_share",
            "total_assets",
            "liabilities",
            "disputes",
            "survey_continue_pct",
        ]
