"""Registry API serializers. Protected values are read masked; writes take plain values
(``id_number``, ``phone``) which are validated and stored encrypted."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer
from streetbrain.core.identifiers import id_number_problem
from streetbrain.core.models import OrgUnit
from streetbrain.core.protected import lookup, normalise_id_number

from ..models import (
    Building,
    ComponentClass,
    Facility,
    House,
    Household,
    IndustryClass,
    Resident,
    Shop,
)


class GridField(serializers.SlugRelatedField):
    """A grid cell by its 14-digit code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=OrgUnit.objects.filter(level="grid"), **kwargs)


class PlatformSerializer(ScopedModelSerializer):
    grid = GridField(source="org_unit")
    community = serializers.CharField(source="org_unit.parent.code", read_only=True)

    base_fields = ["id", "url", "grid", "community", "data_source", "created_at", "updated_at"]
    read_only_base = ["data_source", "created_at", "updated_at"]


class BuildingSerializer(PlatformSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:registry:building-detail")

    class Meta:
        model = Building
        fields = [
            *PlatformSerializer.base_fields,
            "code",
            "name",
            "kind",
            "compound",
            "address",
            "lon",
            "lat",
            "floors_above",
            "floors_below",
            "gross_area_m2",
            "year_built",
            "property_manager",
        ]
        read_only_fields = PlatformSerializer.read_only_base


class HouseSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:registry:house-detail")
    building = serializers.SlugRelatedField(slug_field="code", queryset=Building.objects.all())
    grid = serializers.CharField(source="org_unit.code", read_only=True)

    class Meta:
        model = House
        fields = [
            "id",
            "url",
            "building",
            "number",
            "floor",
            "area_m2",
            "use",
            "grid",
            "data_source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["data_source", "created_at", "updated_at"]

    def validate(self, attrs):
        building = attrs.get("building") or getattr(self.instance, "building", None)
        attrs["org_unit"] = building.org_unit  # a house lies in its building's grid
        return attrs


class HouseholdSerializer(PlatformSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:registry:household-detail")

    class Meta:
        model = Household
        fields = [*PlatformSerializer.base_fields, "code", "kind", "house"]
        read_only_fields = PlatformSerializer.read_only_base


class ResidentSerializer(PlatformSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:registry:resident-detail")
    id_number = serializers.CharField(
        write_only=True, required=False, help_text="18-character ID number (GB 11643)."
    )
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    tags = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Resident
        fields = [
            *PlatformSerializer.base_fields,
            "name",
            "id_number",
            "id_number_masked",
            "sex",
            "birth_date",
            "phone",
            "phone_masked",
            "residence",
            "household",
            "relation",
            "house",
            "tags",
        ]
        read_only_fields = [*PlatformSerializer.read_only_base, "sex", "birth_date"]

    def validate_id_number(self, value):
        value = normalise_id_number(value)
        problem = id_number_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        clash = Resident.objects.filter(**lookup(Resident, "id_number", value))
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                _("A resident with this ID number is already registered.")
            )
        return value

    def validate(self, attrs):
        if self.instance is None and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": _("This field is required.")})
        return attrs

    def _apply(self, resident, validated):
        id_number = validated.pop("id_number", None)
        phone = validated.pop("phone", None)
        for key, value in validated.items():
            setattr(resident, key, value)
        if id_number:
            resident.set_id_number(id_number)
        if phone is not None:
            resident.phone = phone
        resident.save()
        return resident

    def create(self, validated_data):
        return self._apply(Resident(data_source="api"), validated_data)

    def update(self, instance, validated_data):
        return self._apply(instance, validated_data)


class FacilitySerializer(PlatformSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:registry:facility-detail")
    component_class = serializers.SlugRelatedField(
        slug_field="code", queryset=ComponentClass.objects.filter(kind="component")
    )
    class_name = serializers.CharField(source="component_class.name", read_only=True)

    class Meta:
        model = Facility
        fields = [
            *PlatformSerializer.base_fields,
            "object_id",
            "component_class",
            "class_name",
            "name",
            "state",
            "lon",
            "lat",
            "address",
            "owner",
            "maintainer",
            "installed_on",
        ]
        read_only_fields = PlatformSerializer.read_only_base


class ShopSerializer(PlatformSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:registry:shop-detail")
    industry = serializers.SlugRelatedField(slug_field="code", queryset=IndustryClass.objects.all())
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Shop
        fields = [
            *PlatformSerializer.base_fields,
            "name",
            "credit_code",
            "licence_no",
            "industry",
            "industry_name",
            "building",
            "address",
            "operator",
            "phone",
            "phone_masked",
            "lon",
            "lat",
            "status",
            "inspection",
            "inspected_on",
        ]
        read_only_fields = PlatformSerializer.read_only_base

    def create(self, validated_data):
        phone = validated_data.pop("phone", None)
        shop = Shop(data_source="api", **validated_data)
        if phone is not None:
            shop.phone = phone
        shop.full_clean()
        shop.save()
        return shop

    def update(self, instance, validated_data):
        phone = validated_data.pop("phone", None)
        for key, value in validated_data.items():
            setattr(instance, key, value)
        if phone is not None:
            instance.phone = phone
        instance.save()
        return instance


class RevealRequestSerializer(serializers.Serializer):
    fields = serializers.ListField(child=serializers.CharField(), min_length=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
