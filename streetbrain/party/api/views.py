"""/api/party/organisations/: the party organisations in the caller's scope;
/api/party/coverage/: each office tower the caller may see with its coverage (``kind``: own,
joint, none), tenants covered, members working there and the gaps."""

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from streetbrain.economy.models import OfficeBuilding

from .. import coverage
from ..filtersets import OrganisationFilterSet
from ..models import Organisation
from . import serializers


class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = serializers.OrganisationSerializer
    filterset_class = OrganisationFilterSet
    ordering = ["name"]

    def get_queryset(self):
        return (
            Organisation.objects.restrict(self.request.user, "view")
            .select_related("org_unit", "building__building")
            .prefetch_related("enterprises")
            .annotate(members_n=Count("members"))
        )


class CoverageViewSet(viewsets.GenericViewSet):
    """The towers' coverage, computed for the caller (never stored)."""

    serializer_class = serializers.TowerCoverageSerializer
    filter_backends: list = []
    model = OfficeBuilding  # the rows are the caller's office towers

    def get_queryset(self):
        return OfficeBuilding.objects.restrict(self.request.user, "view")

    @extend_schema(responses=serializers.TowerCoverageSerializer(many=True))
    def list(self, request):
        rows = coverage.towers(request.user, timezone.localdate())
        page = self.paginate_queryset(rows)
        data = self.get_serializer(page, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
