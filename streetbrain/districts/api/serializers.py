"""Serializers of the districts' API: representations of the rows (first stores, monthly
sales and campaigns also written, each through its ``actions`` function); a district
carries its year's ``sales``, ``target`` and ``first_stores`` (computed for the request's
``year``, default this year, through the caller's scope)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer
from streetbrain.economy.models import Enterprise
from streetbrain.registry.models import Shop

from .. import actions
from ..models import BusinessDistrict, Campaign, Complex, FirstStore, SalesRecord, Store


class BusinessDistrictSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:districts:district-detail")
    year = serializers.SerializerMethodField()
    sales = serializers.SerializerMethodField()
    target = serializers.DecimalField(
        source="sales_target", max_digits=16, decimal_places=2, read_only=True
    )
    first_stores = serializers.SerializerMethodField()

    class Meta:
        model = BusinessDistrict
        fields = [
            "id", "url", "code", "name", "description", "year", "sales", "target",
            "first_stores", "first_store_target", "geometry", "attribution", "data_source",
        ]  # fmt: skip
        read_only_fields = fields

    def _row(self, obj) -> dict:
        return self.context.get("year_figures", {}).get(obj.pk, {})

    def get_year(self, obj) -> int:
        return self.context.get("year")

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_sales(self, obj):
        value = self._row(obj).get("sales")
        return None if value is None else f"{value:.2f}"

    def get_first_stores(self, obj) -> int:
        return self._row(obj).get("first_stores", 0)


class ComplexSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:districts:complex-detail")

    class Meta:
        model = Complex
        fields = [
            "id", "url", "district", "name", "kind", "operator", "lon", "lat", "osm_name",
            "geometry", "data_source",
        ]  # fmt: skip
        read_only_fields = fields


class StoreSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:districts:store-detail")
    shop = serializers.SerializerMethodField()
    enterprise = serializers.SerializerMethodField()

    class Meta:
        model = Store
        fields = [
            "id", "url", "district", "complex", "code", "name", "brand", "category",
            "credit_code", "shop", "enterprise", "location", "area_m2", "opened_on", "status",
            "data_source",
        ]  # fmt: skip
        read_only_fields = fields

    def _visible(self, model, pk):
        """A link found by credit code, shown only when it lies in the caller's scope."""
        user = self.context["request"].user
        if pk is None:
            return None
        return pk if model.objects.restrict(user).filter(pk=pk).exists() else None

    def get_shop(self, obj) -> int | None:
        return self._visible(Shop, obj.shop_id)

    def get_enterprise(self, obj) -> int | None:
        return self._visible(Enterprise, obj.enterprise_id)


class FirstStoreSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:districts:firststore-detail")

    class Meta:
        model = FirstStore
        fields = [
            "id", "url", "district", "complex", "store", "brand", "level", "opened_on",
            "area_m2", "note", "data_source",
        ]  # fmt: skip
        read_only_fields = ["id", "url", "data_source"]

    def create(self, validated_data):
        user = self.context["request"].user
        return actions.record_first_store(user, FirstStore(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return actions.record_first_store(self.context["request"].user, instance)


class SalesRecordSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:districts:sale-detail")
    mall = serializers.SerializerMethodField()

    class Meta:
        model = SalesRecord
        fields = [
            "id", "url", "district", "store", "complex", "mall", "category", "month", "amount",
            "data_source",
        ]  # fmt: skip
        read_only_fields = ["id", "url", "district", "category", "data_source"]
        # A month already recorded is corrected, not refused (``actions.record_sales``).
        validators: list = []

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("store", "complex", "month"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: _("Only the amount of a month's sales can be changed.")}
                    )
        return attrs

    def create(self, validated_data):
        return actions.record_sales(
            self.context["request"].user,
            month=validated_data.get("month"),
            amount=validated_data.get("amount"),
            store=validated_data.get("store"),
            complex=validated_data.get("complex"),
        )

    def update(self, instance, validated_data):
        return actions.record_sales(
            self.context["request"].user,
            month=instance.month,
            amount=validated_data.get("amount", instance.amount),
            store=instance.store if instance.store_id else None,
            complex=None if instance.store_id else instance.complex,
        )

    def get_mall(self, obj) -> int | None:
        mall = obj.mall
        return mall.pk if mall else None


class CampaignSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:districts:campaign-detail")

    class Meta:
        model = Campaign
        fields = [
            "id", "url", "district", "name", "starts_on", "ends_on", "members",
            "coupons_issued", "coupons_redeemed", "coupon_value", "note", "data_source",
        ]  # fmt: skip
        read_only_fields = ["id", "url", "data_source"]

    def _save(self, campaign, validated_data):
        members = validated_data.pop("members", None)
        for name, value in validated_data.items():
            setattr(campaign, name, value)
        return actions.save_campaign(self.context["request"].user, campaign, members=members)

    def create(self, validated_data):
        return self._save(Campaign(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)
