"""The projects' REST API, under /api/projects/: the projects with their light and their
indicators' target and actual, the street's indicators with target, actual and projection, the
plots with their households by stage, the hard cases. Scoped like every list of the API; the
computed values are computed for the page of rows being answered only."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import mixins, viewsets

from .. import filtersets, status
from ..models import HardCase, Household, Plot, Project, StreetIndicator
from . import serializers


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs

    def extra_context(self, rows) -> dict:
        return {}

    def get_serializer(self, *args, **kwargs):
        rows = args[0] if args else None
        if rows is not None:
            many = rows if kwargs.get("many") else [rows]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"].update(self.extra_context(list(many)))
        return super().get_serializer(*args, **kwargs)


class ProjectViewSet(ScopedReadViewSet):
    """Key projects with their computed light (``status_light``: green, yellow, red), the
    reasons for it, and each indicator's ``target`` and ``actual`` (entered and approved, or
    computed by the platform). Filter by ``?year=``."""

    model = Project
    select_related = ("leader", "office")
    serializer_class = serializers.ProjectSerializer
    filterset_class = filtersets.ProjectFilterSet
    ordering_fields = ["code", "year", "name"]
    ordering = ["year", "code"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("milestones", "indicators__feeds", "sites")

    def extra_context(self, rows) -> dict:
        today, user = timezone.localdate(), self.request.user
        return {"statuses": {p.pk: status.project_status(p, user, today) for p in rows}}


class StreetIndicatorViewSet(ScopedReadViewSet):
    """The street's economic indicators of a year (``?year=``, default this year): ``target``
    and ``raised_target``, the last reported ``month`` and its year-to-date ``actual``, the
    ``projection`` to the year's end and the ``gap`` of the projection to the (raised)
    target."""

    model = StreetIndicator
    serializer_class = serializers.StreetIndicatorSerializer
    filter_backends: list = []

    def extra_context(self, rows) -> dict:
        today, user = timezone.localdate(), self.request.user
        try:
            year = int(self.request.query_params.get("year", today.year))
        except ValueError:
            year = today.year
        if not 2000 <= year <= 2100:
            year = today.year
        return {"statuses": {i.pk: status.street_status(i, year, user, today) for i in rows}}


class PlotViewSet(ScopedReadViewSet):
    """The campaign's plots with their households by stage (how many, how many m²) and their
    total ``area_m2``."""

    model = Plot
    select_related = ("project",)
    serializer_class = serializers.PlotSerializer
    filterset_class = filtersets.PlotFilterSet
    ordering_fields = ["code"]
    ordering = ["code"]

    def extra_context(self, rows) -> dict:
        households = Household.objects.restrict(self.request.user)
        return {"counts": {p.pk: status.stage_counts(households.filter(plot=p)) for p in rows}}


class HardCaseViewSet(ScopedReadViewSet):
    """Hard cases (疑难杂症) with their ``area_m2``, ``leader``, ``stage`` and ``deadline`` (in
    working days on the case engine's calendar) and timeliness ``light``."""

    model = HardCase
    select_related = ("plot", "leader")
    serializer_class = serializers.HardCaseSerializer
    filterset_class = filtersets.HardCaseFilterSet
    ordering_fields = ["deadline", "area_m2"]
    ordering = ["deadline", "pk"]
