"""The districts' REST API, under /api/districts/: the districts themselves at the root (each
with its year's ``sales``, ``target`` and ``first_stores``; ``?year=`` picks the year), and
the lists of malls, stores, first stores, monthly sales and campaigns. Scoped; first stores,
monthly sales and campaigns are also added (POST) and corrected (PATCH), through the same
``districts.actions`` as the pages and the imports."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets

from streetbrain.core.api.viewsets import ScopedModelViewSet

from .. import filtersets, measures
from ..models import BusinessDistrict, Campaign, Complex, FirstStore, SalesRecord, Store
from . import serializers


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and details of what the caller may view."""

    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs


class ScopedWriteViewSet(ScopedModelViewSet):
    """Lists and details of what the caller may view; POST adds and PATCH corrects a row
    through the serializer's action (permission and scope checked there and re-read through
    the scope here). No PUT and no DELETE."""

    http_method_names = ["get", "head", "options", "post", "patch"]


YEAR = OpenApiParameter(
    "year", OpenApiTypes.INT, description="The year of the figures (default: this year)."
)


@extend_schema_view(
    list=extend_schema(parameters=[YEAR]), retrieve=extend_schema(parameters=[YEAR])
)
class BusinessDistrictViewSet(ScopedReadViewSet):
    """Business districts (商圈) with their year's retail sales against the target and the
    number of first stores opened in the year."""

    model = BusinessDistrict
    serializer_class = serializers.BusinessDistrictSerializer
    filterset_class = filtersets.BusinessDistrictFilterSet
    ordering_fields = ["name", "code"]
    ordering = ["name"]

    def year(self) -> int:
        raw = self.request.query_params.get("year")
        if raw in (None, ""):
            return timezone.localdate().year
        if not raw.isdigit() or not 1900 <= int(raw) <= 2199:
            raise exceptions.ValidationError({"year": [_("Give a year from 1900 to 2199.")]})
        return int(raw)

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False) or self.request is None:
            return ctx
        year = self.year()
        rows = measures.street_year(self.request.user, year)
        ctx.update(year=year, year_figures={r["district"].pk: r for r in rows})
        return ctx


class ComplexViewSet(ScopedReadViewSet):
    """Malls and complexes (商业综合体) of the districts, with their outlines."""

    model = Complex
    select_related = ("district",)
    serializer_class = serializers.ComplexSerializer
    filterset_class = filtersets.ComplexFilterSet
    ordering_fields = ["name"]


class StoreViewSet(ScopedReadViewSet):
    """Stores (门店) of the districts; ``shop`` and ``enterprise`` are the same legal entity in
    the shop register and the building economy (shown when the caller may see them)."""

    model = Store
    serializer_class = serializers.StoreSerializer
    filterset_class = filtersets.StoreFilterSet
    ordering_fields = ["name", "code", "brand", "opened_on"]


class FirstStoreViewSet(ScopedWriteViewSet):
    """The first-store register (首店): brand, level, opened on, area."""

    model = FirstStore
    serializer_class = serializers.FirstStoreSerializer
    filterset_class = filtersets.FirstStoreFilterSet
    ordering_fields = ["opened_on", "brand", "level"]


class SalesRecordViewSet(ScopedWriteViewSet):
    """Monthly retail sales of stores (or of a mall as a whole); the dashboard's figures are
    sums of these rows under the same filters."""

    model = SalesRecord
    select_related = ("store",)
    serializer_class = serializers.SalesRecordSerializer
    filterset_class = filtersets.SalesRecordFilterSet
    ordering_fields = ["month", "amount"]


class CampaignViewSet(ScopedWriteViewSet):
    """消费联盟 campaigns: members, coupons issued and redeemed."""

    model = Campaign
    serializer_class = serializers.CampaignSerializer
    filterset_class = filtersets.CampaignFilterSet
    ordering_fields = ["starts_on", "name"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("members")
