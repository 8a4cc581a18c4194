"""The party organisations and the towers' coverage as the API gives them."""

from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import Organisation


class OrganisationSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:party:organisation-detail")
    org_unit = serializers.CharField(source="org_unit.code", read_only=True)
    building = serializers.CharField(source="building.building.code", read_only=True, default=None)
    enterprises = serializers.SlugRelatedField(slug_field="credit_code", many=True, read_only=True)
    members = serializers.IntegerField(source="members_n", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id", "url", "name", "level", "form", "attached_to", "building", "place",
            "enterprises", "secretary", "founded_on", "org_unit", "members",
        ]  # fmt: skip


class GapSerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    name = serializers.CharField()
    members = serializers.IntegerField()


class TowerCoverageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="tower.pk")
    code = serializers.CharField(source="tower.building.code")
    name = serializers.CharField(source="tower.building.name")
    kind = serializers.ChoiceField(choices=["own", "joint", "none"])
    organisations = serializers.SerializerMethodField()
    tenants = serializers.IntegerField()
    tenants_covered = serializers.IntegerField()
    members = serializers.IntegerField()
    gaps = serializers.SerializerMethodField()

    def get_organisations(self, obj) -> list[str]:
        return [o.name for o in obj.organisations]

    def get_gaps(self, obj) -> list[dict]:
        return [{"name": name, "members": n} for name, n, _pk in obj.gaps]
