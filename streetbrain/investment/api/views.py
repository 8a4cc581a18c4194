"""招商's REST API, under /api/investment/: the whitelist (the latest published version, else
the latest computation; ``?run=`` picks one), the leads with ``…/{id}/matches/`` (their ranked
space), and the parks with their progress. Scoped like the rest of the API; read-only here —
the pages call the actions."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import filtersets, matching, whitelist
from ..models import Lead, Park, WhitelistEntry
from . import serializers


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("run", int, description="A computation's id.")])
)
class WhitelistViewSet(ScopedReadViewSet):
    """招商白名单: each industry's code, name, score, rank and factors (value, normalised value,
    weight, contribution), best first."""

    model = WhitelistEntry
    serializer_class = serializers.WhitelistEntrySerializer
    filterset_class = filtersets.WhitelistEntryFilterSet
    ordering = ["level", "rank"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list" or getattr(self, "swagger_fake_view", False):
            return qs  # the schema's generator reads only the model
        run = self.request.query_params.get("run")
        if run:
            if not run.isdigit() or len(run) > 12:
                raise exceptions.ValidationError({"run": [_("Give a computation's id.")]})
            return qs.filter(run_id=int(run)).order_by("level", "rank")
        chosen = whitelist.published() or whitelist.latest_run()
        if chosen is None:
            return qs.none()
        return qs.filter(run=chosen).order_by("level", "rank")


class LeadViewSet(ScopedReadViewSet):
    """招商线索 in the caller's scope; ``…/{id}/matches/`` ranks the vacant space that fits."""

    model = Lead
    select_related = ("industry__section",)
    serializer_class = serializers.LeadSerializer
    filterset_class = filtersets.LeadFilterSet
    ordering_fields = ["opened_on", "name", "stage_changed_on"]
    ordering = ["-opened_on", "-pk"]

    @extend_schema(responses=serializers.SpaceMatchSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def matches(self, request, pk=None):
        """The best candidates (one unit or adjacent units on one floor), with their parts."""
        lead = self.get_object()
        if not request.user.has_perm("economy.view_unit"):
            return Response([])
        found = matching.match_lead(lead, request.user, limit=10)
        return Response(serializers.SpaceMatchSerializer(found, many=True).data)


class ParkViewSet(ScopedReadViewSet):
    """Parks (电商园区) with each criterion of the level they work toward: target, current, gap."""

    model = Park
    select_related = ("building__building",)
    serializer_class = serializers.ParkSerializer
    ordering = ["name"]
