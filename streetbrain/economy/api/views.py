"""The building economy's REST API, under /api/economy/: towers, units, enterprises (with their
timeline), leases, move-out warnings (with their follow-up steps) and the monthly figures.
Every list is scoped to the caller like the rest of the API; the data is read here and changed
through imports and ``economy.actions`` (the warnings' steps below call those)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Sum
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .. import actions, filtersets
from ..models import (
    Enterprise,
    EnterpriseEvent,
    Lease,
    MonthlyFigure,
    MoveOutWarning,
    OfficeBuilding,
    Unit,
    WarningEvent,
)
from . import serializers

NOT_FILTERED = {"filter_backends": [], "pagination_class": None}


def domain_call(func, *args, **kwargs):
    """Call an action: its ValidationError is a 400 mapping inputs to messages, its
    PermissionDenied a 403."""
    try:
        return func(*args, **kwargs)
    except DjangoValidationError as exc:
        detail = (
            exc.message_dict
            if hasattr(exc, "error_dict")
            else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        )
        raise exceptions.ValidationError(detail) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and details of what the caller may view."""

    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs


class OfficeBuildingViewSet(ScopedReadViewSet):
    """Office buildings (楼宇) in the caller's scope, with the registry building's name, address
    and place, and the area of their units."""

    model = OfficeBuilding
    select_related = ("building", "org_unit__parent", "leader", "chain")
    serializer_class = serializers.OfficeBuildingSerializer
    filterset_class = filtersets.OfficeBuildingFilterSet
    ordering_fields = ["building__code", "building__name", "leasable_area_m2"]
    ordering = ["building__code"]

    def get_queryset(self):
        return super().get_queryset().annotate(units_area_m2=Sum("units__area_m2"))


class UnitViewSet(ScopedReadViewSet):
    """Rentable units (房源) with their letting status now and their asking rent."""

    model = Unit
    select_related = ("building__building", "floor")
    serializer_class = serializers.UnitSerializer
    filterset_class = filtersets.UnitFilterSet
    ordering_fields = ["code", "area_m2", "asking_rent", "floor__number"]


class EnterpriseViewSet(ScopedReadViewSet):
    """Enterprises (企业) in the caller's scope; ``…/{id}/events/`` is the enterprise's
    timeline (企业影像): move-ins and move-outs, leases, status, warnings."""

    model = Enterprise
    select_related = ("industry__section", "org_unit")
    serializer_class = serializers.EnterpriseSerializer
    filterset_class = filtersets.EnterpriseFilterSet
    ordering_fields = ["name", "founded_on", "registered_capital"]

    @extend_schema(responses=serializers.EnterpriseEventSerializer(many=True))
    @action(detail=True, methods=["get"], **NOT_FILTERED)
    def events(self, request, pk=None):
        """The enterprise's timeline, oldest first."""
        enterprise = self.get_object()
        events = (
            EnterpriseEvent.objects.restrict(request.user, "view")
            .filter(enterprise=enterprise)
            .select_related("building__building")
        )
        return Response(serializers.EnterpriseEventSerializer(events, many=True).data)


class LeaseViewSet(ScopedReadViewSet):
    """Leases (租赁合同) of the towers in the caller's scope; ``held_on`` gives those holding
    their space on a day, ``ends_before`` those coming up for renewal."""

    model = Lease
    select_related = ("enterprise", "building__building")
    serializer_class = serializers.LeaseSerializer
    filterset_class = filtersets.LeaseFilterSet
    ordering_fields = ["start_date", "end_date", "area_m2", "contract_number"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("units")


class MoveOutWarningViewSet(ScopedReadViewSet):
    """Move-out warnings (迁出预警) of the enterprises in the caller's scope, with the rules'
    evidence. ``…/{id}/events/`` is the follow-up's timeline; ``assign``, ``visit``, ``note``
    and ``close`` take its steps (403 if the caller's role may not, 400 naming the input at
    fault)."""

    model = MoveOutWarning
    select_related = ("enterprise", "assignee")
    serializer_class = serializers.MoveOutWarningSerializer
    filterset_class = filtersets.MoveOutWarningFilterSet
    ordering_fields = ["raised_on", "risk_score", "state"]

    def _answer(self, warning):
        fresh = self.get_queryset().get(pk=warning.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(responses=serializers.WarningEventSerializer(many=True))
    @action(detail=True, methods=["get"], **NOT_FILTERED)
    def events(self, request, pk=None):
        """The warning's follow-up, oldest first."""
        warning = self.get_object()
        events = WarningEvent.objects.restrict(request.user, "view").filter(warning=warning)
        return Response(serializers.WarningEventSerializer(events, many=True).data)

    @extend_schema(
        request=serializers.WarningAssignSerializer, responses=serializers.MoveOutWarningSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def assign(self, request, pk=None):
        """Assign the warning to the building's 楼长 or a specialist."""
        warning = self.get_object()
        data = serializers.WarningAssignSerializer(data=request.data)
        # Only users the caller may see can be named (no probing for accounts).
        data.fields["assignee"].queryset = get_user_model().objects.restrict(request.user, "view")
        data.is_valid(raise_exception=True)
        warning = domain_call(
            actions.assign_warning,
            warning,
            data.validated_data["assignee"],
            user=request.user,
            note=data.validated_data.get("note", ""),
        )
        return self._answer(warning)

    @extend_schema(
        request=serializers.WarningVisitSerializer, responses=serializers.MoveOutWarningSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def visit(self, request, pk=None):
        """Record a visit (走访) to the enterprise."""
        warning = self.get_object()
        data = serializers.WarningVisitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        warning = domain_call(
            actions.record_warning_visit, warning, user=request.user, **data.validated_data
        )
        return self._answer(warning)

    @extend_schema(
        request=serializers.WarningNoteSerializer, responses=serializers.MoveOutWarningSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def note(self, request, pk=None):
        """Add a note to the warning's timeline."""
        warning = self.get_object()
        data = serializers.WarningNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        warning = domain_call(
            actions.add_warning_note, warning, user=request.user, **data.validated_data
        )
        return self._answer(warning)

    @extend_schema(
        request=serializers.WarningCloseSerializer, responses=serializers.MoveOutWarningSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def close(self, request, pk=None):
        """Close the warning with its outcome: retained, left or false alarm."""
        warning = self.get_object()
        data = serializers.WarningCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        warning = domain_call(
            actions.close_warning,
            warning,
            data.validated_data["outcome"],
            note=data.validated_data["note"],
            user=request.user,
        )
        return self._answer(warning)


class MonthlyFigureViewSet(ScopedReadViewSet):
    """The building economy's precomputed monthly figures: ``?building=<id>&month=2025-03`` for a
    tower's month, ``?scope=street&month_from=2025-01`` for the street's trend,
    ``?scope=community&key=<code>`` (or ``grid``) for a community's or grid cell's. Areas in m²,
    money in yuan, rates and shares 0–1."""

    model = MonthlyFigure
    serializer_class = serializers.MonthlyFigureSerializer
    filterset_class = filtersets.MonthlyFigureFilterSet
    ordering_fields = ["month", "key", "occupancy_rate", "tax_total", "tax_total_12m"]
