"""Serializers of the projects' API: read-only representations, with the computed values
(a project's light and reasons, its indicators' target and actual; a street indicator's
actual, projection and gap; a plot's households by stage) filled in by the views."""

from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import HardCase, Plot, Project, StreetIndicator


class IndicatorValueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField(help_text="entered or computed")
    target = serializers.FloatField()
    actual = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True, help_text="actual / target")
    feeds = serializers.CharField(help_text="the street indicator it contributes to")


class ProjectSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:projects:project-detail")
    leader_name = serializers.CharField(source="leader.__str__", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True, allow_null=True)
    status_light = serializers.SerializerMethodField()
    status_reasons = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "url",
            "code",
            "name",
            "kind",
            "year",
            "leader",
            "leader_name",
            "office",
            "office_name",
            "start_date",
            "end_date",
            "status_light",
            "status_reasons",
            "indicators",
            "data_source",
        ]
        read_only_fields = fields

    def _status(self, obj):
        return self.context["statuses"][obj.pk]

    def get_status_light(self, obj) -> str:
        return self._status(obj).light

    def get_status_reasons(self, obj) -> list[str]:
        return self._status(obj).reasons

    @staticmethod
    def _indicator(i) -> dict:
        return {
            "id": i.pk,
            "name": i.name,
            "unit": i.unit,
            "source": i.source,
            "target": i.target,
            "actual": i.actual,
            "progress": i.progress,
            "feeds": i.feeds,
        }

    def get_indicators(self, obj) -> IndicatorValueSerializer(many=True):  # type: ignore[valid-type]
        return [self._indicator(i) for i in self._status(obj).indicators]


class StreetIndicatorSerializer(ScopedModelSerializer):
    year = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    raised_target = serializers.SerializerMethodField()
    month = serializers.SerializerMethodField()
    actual = serializers.SerializerMethodField()
    projection = serializers.SerializerMethodField()
    gap = serializers.SerializerMethodField()

    class Meta:
        model = StreetIndicator
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "unit",
            "year",
            "target",
            "raised_target",
            "month",
            "actual",
            "projection",
            "gap",
        ]
        read_only_fields = fields

    def _s(self, obj):
        return self.context["statuses"][obj.pk]

    def get_year(self, obj) -> int:
        return self._s(obj).year

    def get_target(self, obj) -> float | None:
        return self._s(obj).target

    def get_raised_target(self, obj) -> float | None:
        return self._s(obj).raised_target

    def get_month(self, obj) -> str | None:
        m = self._s(obj).month
        return m.strftime("%Y-%m") if m else None

    def get_actual(self, obj) -> float | None:
        return self._s(obj).actual

    def get_projection(self, obj) -> float | None:
        return self._s(obj).projection

    def get_gap(self, obj) -> float | None:
        return self._s(obj).gap


class StageCountSerializer(serializers.Serializer):
    stage = serializers.CharField()
    households = serializers.IntegerField()
    area_m2 = serializers.FloatField()


class PlotSerializer(ScopedModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    area_m2 = serializers.SerializerMethodField()
    households = serializers.SerializerMethodField()
    households_by_stage = serializers.SerializerMethodField()

    class Meta:
        model = Plot
        fields = [
            "id",
            "code",
            "name",
            "project",
            "project_name",
            "planned_households",
            "planned_area_m2",
            "target_date",
            "area_m2",
            "households",
            "households_by_stage",
            "centroid_lon",
            "centroid_lat",
            "data_source",
        ]
        read_only_fields = fields

    def _c(self, obj):
        return self.context["counts"][obj.pk]

    def get_area_m2(self, obj) -> float:
        return round(sum(v["area_m2"] for v in self._c(obj).values()), 2)

    def get_households(self, obj) -> int:
        return sum(v["households"] for v in self._c(obj).values())

    def get_households_by_stage(self, obj) -> StageCountSerializer(many=True):  # type: ignore[valid-type]
        return [{"stage": s or "none", **v} for s, v in self._c(obj).items()]


class HardCaseSerializer(ScopedModelSerializer):
    plot_code = serializers.CharField(source="plot.code", read_only=True)
    leader_name = serializers.CharField(source="leader.__str__", read_only=True)
    light = serializers.SerializerMethodField()

    class Meta:
        model = HardCase
        fields = [
            "id",
            "title",
            "plot",
            "plot_code",
            "household",
            "area_m2",
            "leader",
            "leader_name",
            "stage",
            "opened_at",
            "limit_days",
            "deadline",
            "light",
            "escalated_at",
            "closed_at",
            "data_source",
        ]
        read_only_fields = fields

    def get_light(self, obj) -> str:
        from ..actions import light_of

        return light_of(obj)
