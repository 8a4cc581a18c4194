from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import exceptions, relations, serializers

from ..models import ApiToken, ChangeLogEntry, Department, OrgUnit


class ScopedRelationsMixin:
    """Related fields take only rows the requesting user may see (``restrict(user, "view")``),
    as the page forms, the filters and the imports do. Without it a grid worker could move a
    resident of their grid into a household of another grid: the write check after the save
    looks at the object's own unit, not at the rows it points to.

    The choices offered (the browsable API's forms) are the user's rows only. A row that
    exists outside the scope is refused as the API refuses every write out of scope (403);
    one that does not exist is the usual 400."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            relation = (
                field.child_relation if isinstance(field, relations.ManyRelatedField) else field
            )
            queryset = getattr(relation, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                _restrict(relation, queryset, user)
        return fields


def _restrict(relation, everything, user) -> None:
    visible = everything.restrict(user, "view") if user else everything.none()
    relation.queryset = visible
    lookup = relation.to_internal_value

    def to_internal_value(data):
        try:
            return lookup(data)
        except serializers.ValidationError as missing:
            relation.queryset = everything
            try:
                found = lookup(data)
            except serializers.ValidationError:
                raise missing from None
            finally:
                relation.queryset = visible
            raise exceptions.PermissionDenied(
                _("%(object)s is outside your area of responsibility: it cannot be chosen.")
                % {"object": found}
            ) from None

    relation.to_internal_value = to_internal_value


class ScopedModelSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    """The base of every API serializer of a scoped model."""


class ScopedSerializer(ScopedRelationsMixin, serializers.Serializer):
    """The base of an API input that names scoped rows without being a model's."""


class OrgUnitBriefSerializer(ScopedModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "level"]


class OrgUnitSerializer(ScopedModelSerializer):
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


class DepartmentSerializer(ScopedModelSerializer):
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


class UserSerializer(ScopedModelSerializer):
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


class ChangeLogEntrySerializer(ScopedModelSerializer):
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
    name = serializers.CharField(
        required=False,
        max_length=100,
        help_text="what will use the token (shown in the user's token list)",
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its user sees it: never its key (only its first characters)."""

    expires = serializers.DateTimeField(read_only=True)
    expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expires", "expired", "last_used"]
        read_only_fields = ["prefix", "created", "last_used"]


class NewApiTokenSerializer(ApiTokenSerializer):
    """A token just made, with its key: shown this once, never again."""

    token = serializers.CharField(read_only=True, help_text="the key: Authorization: Token …")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
