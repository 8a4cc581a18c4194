from django.contrib.auth import get_user_model
from rest_framework import serializers

from ..models import ChangeLogEntry, Department, OrgUnit


class OrgUnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "level"]


class OrgUnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    url = serializers.HyperlinkedIdentityField(view_name="api:core:orgunit-detail")

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "url",
            "code",
            "name",
            "level",
            "parent",
            "parent_code",
            "path",
            "legacy_code",
            "centroid_lon",
            "centroid_lat",
            "area_m2",
            "illustrative",
        ]
        read_only_fields = ["path"]

    def validate(self, attrs):
        current = ("code", "name", "level", "parent")
        data = {f: getattr(self.instance, f) for f in current} if self.instance else {}
        OrgUnit(**{**data, **attrs}).clean()  # the tree's rules (level order, grid codes)
        return attrs


class OrgUnitGeoSerializer(OrgUnitSerializer):
    class Meta(OrgUnitSerializer.Meta):
        fields = [*OrgUnitSerializer.Meta.fields, "geometry"]


class DepartmentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:core:department-detail")
    org_unit_code = serializers.CharField(source="org_unit.code", read_only=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "url",
            "code",
            "name",
            "kind",
            "org_unit",
            "org_unit_code",
            "phone",
            "is_active",
        ]


class UserSerializer(serializers.ModelSerializer):
    org_unit = OrgUnitBriefSerializer(read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "display_name",
            "org_unit",
            "department",
            "roles",
            "is_active",
            "is_superuser",
        ]

    def get_roles(self, obj) -> list[str]:
        return obj.role_codes


class ChangeLogEntrySerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = ChangeLogEntry
        fields = [
            "id",
            "time",
            "user_name",
            "request_id",
            "source",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changed_fields",
            "prechange",
            "postchange",
            "reason",
        ]

    def get_object_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class LocateResultSerializer(serializers.Serializer):
    grid = OrgUnitBriefSerializer(allow_null=True)
    community = OrgUnitBriefSerializer(allow_null=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
