"""/api/cooperatives/: the cooperatives in the caller's scope with their colour (red, yellow,
green), score and indicators; /api/cooperatives/accounts/: their yearly accounts. Read here;
changed through the imports and ``cooperatives.actions``."""

from django.db.models import Prefetch
from rest_framework import mixins, viewsets

from ..filtersets import CooperativeFilterSet
from ..models import AnnualAccount, Cooperative, Grade
from . import serializers


class CooperativeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.CooperativeSerializer
    filterset_class = CooperativeFilterSet
    ordering_fields = ["name", "score", "colour"]
    ordering = ["name"]

    def get_queryset(self):
        return (
            Cooperative.objects.restrict(self.request.user, "view")
            .select_related("org_unit", "exit_process")
            .prefetch_related(
                Prefetch(
                    "grades",
                    queryset=Grade.objects.order_by("-graded_at", "-pk"),
                    to_attr="latest_grades",
                )
            )
        )


class AnnualAccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = serializers.AnnualAccountSerializer
    ordering = ["cooperative", "year"]

    def get_queryset(self):
        return AnnualAccount.objects.restrict(self.request.user, "view").select_related(
            "cooperative"
        )
