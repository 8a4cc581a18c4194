"""The services' REST API, under /api/services/: policies (with their clauses), the stored
matches (``?enterprise=<id>``: each clause's verdict, reasons and amount) and the notices.
Read-only and scoped; changes go through the pages and ``services.actions``."""

from streetbrain.core.api.viewsets import ScopedReadOnlyViewSet

from .. import filtersets
from ..models import Match, Notice, Policy
from . import serializers


class PolicyViewSet(ScopedReadOnlyViewSet):
    model = Policy
    serializer_class = serializers.PolicySerializer
    filterset_class = filtersets.PolicyFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("clauses").order_by("key")


class MatchViewSet(ScopedReadOnlyViewSet):
    model = Match
    serializer_class = serializers.MatchSerializer
    filterset_class = filtersets.MatchFilterSet
    select_related = ("enterprise", "clause")

    def get_queryset(self):
        return super().get_queryset().order_by("enterprise_id", "clause_id")


class NoticeViewSet(ScopedReadOnlyViewSet):
    model = Notice
    serializer_class = serializers.NoticeSerializer
    filterset_class = filtersets.NoticeFilterSet
    select_related = ("enterprise",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("events").order_by("-sent_at", "pk")
