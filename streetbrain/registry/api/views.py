from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from streetbrain.core.actions import reveal
from streetbrain.core.api.viewsets import ScopedModelViewSet

from .. import filtersets
from ..models import RESIDENT_ORDER, Building, Facility, House, Household, Resident, Shop
from . import serializers

GRID = ("org_unit", "org_unit__parent")


class RevealMixin:
    """``POST …/{id}/reveal/`` with ``{"fields": ["id_number"], "reason": "…"}`` returns the
    plain values to roles with the reveal permission, and logs the reveal."""

    @extend_schema(
        request=serializers.RevealRequestSerializer,
        responses=inline_serializer("RevealResponse", {"values": drf_serializers.DictField()}),
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reveal(self, request, pk=None):
        # Permission and scope are checked by core.actions.reveal (the reveal permission and
        # the view scope), not by the add permission a POST would otherwise need.
        obj = self.model.objects.restrict(request.user, "view").filter(pk=pk).first()
        if obj is None:
            from django.http import Http404

            raise Http404
        data = serializers.RevealRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            values = reveal(
                obj,
                data.validated_data["fields"],
                request.user,
                reason=data.validated_data.get("reason", ""),
            )
        except ValueError as exc:
            raise ValidationError({"fields": str(exc)}) from exc
        return Response({"values": values})


class BuildingViewSet(ScopedModelViewSet):
    """Buildings (楼栋) in the caller's scope."""

    model = Building
    select_related = GRID
    serializer_class = serializers.BuildingSerializer
    filterset_class = filtersets.BuildingFilterSet
    ordering_fields = ["code", "name"]


class HouseViewSet(ScopedModelViewSet):
    """Houses (房屋) in the caller's scope."""

    model = House
    select_related = ("building", "org_unit")
    serializer_class = serializers.HouseSerializer
    filterset_class = filtersets.HouseFilterSet
    ordering_fields = ["number", "floor", "area_m2"]


class HouseholdViewSet(ScopedModelViewSet):
    """Households (户) in the caller's scope."""

    model = Household
    select_related = GRID
    serializer_class = serializers.HouseholdSerializer
    filterset_class = filtersets.HouseholdFilterSet
    ordering_fields = ["code"]


class ResidentViewSet(RevealMixin, ScopedModelViewSet):
    """Residents (实有人口) in the caller's scope; ID numbers and phones come masked."""

    model = Resident
    select_related = GRID
    serializer_class = serializers.ResidentSerializer
    filterset_class = filtersets.ResidentFilterSet
    ordering_fields = ["name", "birth_date"]
    ordering = RESIDENT_ORDER  # numbered pages; cursor pages go by id (core.api.pagination)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")


class FacilityViewSet(ScopedModelViewSet):
    """Facilities (管理部件, GB/T 47678.5) in the caller's scope."""

    model = Facility
    select_related = ("component_class", *GRID)
    serializer_class = serializers.FacilitySerializer
    filterset_class = filtersets.FacilityFilterSet
    ordering_fields = ["object_id", "state"]


class ShopViewSet(RevealMixin, ScopedModelViewSet):
    """Street shops (沿街店铺, 一表通查) in the caller's scope; phones come masked."""

    model = Shop
    select_related = ("industry", *GRID)
    serializer_class = serializers.ShopSerializer
    filterset_class = filtersets.ShopFilterSet
    ordering_fields = ["name", "inspected_on"]
