"""The linkage's REST API, under /api/linkage/: sources, staged records (with the review queue
as ``?state=review`` and a decision step), conflicts (with a resolve step), and one record linked
against the registry. Reads are scoped like the rest of the API; changes go through
``linkage.actions``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from .. import actions
from ..models import Conflict, Source, StagedRecord
from . import serializers

NOT_FILTERED = {"filter_backends": [], "pagination_class": None}


def domain_call(func, *args, **kwargs):
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
    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs


class SourceViewSet(ScopedReadViewSet):
    model = Source
    serializer_class = serializers.SourceSerializer

    @extend_schema(request=serializers.LinkOneSerializer, responses=None)
    @action(
        detail=False,
        methods=["post"],
        url_path="link-one",
        permission_classes=[IsAuthenticated],
        **NOT_FILTERED,
    )
    def link_one(self, request):
        """One record (a grid worker's) linked against the registry as it stands."""
        data = serializers.LinkOneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = getattr(request.user, "org_unit", None)
        if unit is None:
            raise exceptions.PermissionDenied()
        resident, pair = domain_call(
            actions.link_one, dict(data.validated_data), unit=unit, user=request.user
        )
        if resident is None:
            return Response({"resident": None, "probability": None, "weights": {}})
        return Response(
            {
                "resident": resident.pk,
                "name": resident.name,
                "probability": pair.probability,
                "weights": pair.explained(),
                "linked": pair.probability >= actions.UPPER,
            }
        )


class StagedRecordViewSet(ScopedReadViewSet):
    model = StagedRecord
    serializer_class = serializers.StagedRecordSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=StagedRecord.State.values),
            OpenApiParameter("source", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        state = self.request.query_params.get("state")
        if state:
            if state not in StagedRecord.State.values:
                raise exceptions.ValidationError({"state": ["Not a state."]})
            qs = qs.filter(state=state)
        source = self.request.query_params.get("source")
        if source:
            if not source.isdigit():
                raise exceptions.ValidationError({"source": ["Not a source id."]})
            qs = qs.filter(source_id=int(source))
        return qs

    @extend_schema(
        request=serializers.DecideSerializer, responses=serializers.StagedRecordSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def decide(self, request, pk=None):
        record = self.get_object()
        data = serializers.DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = domain_call(
            actions.decide, record, data.validated_data["outcome"], user=request.user
        )
        return Response(serializers.StagedRecordSerializer(record).data)


class ConflictViewSet(ScopedReadViewSet):
    model = Conflict
    serializer_class = serializers.ConflictSerializer

    @extend_schema(request=serializers.ResolveSerializer, responses=serializers.ConflictSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def resolve(self, request, pk=None):
        conflict = self.get_object()
        data = serializers.ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = domain_call(
            actions.resolve_conflict,
            conflict,
            adopt=data.validated_data["adopt"],
            user=request.user,
            note=data.validated_data["note"],
        )
        return Response(serializers.ConflictSerializer(conflict).data)
