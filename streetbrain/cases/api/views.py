"""The cases API: cases and their timeline, reports (intake), the workflow's actions, the
reference data that drives it (routing rules, time limits, sensors) and the caller's
notifications. Reads are scoped; every change is a call into the actions
(``cases.intake.actions``, ``cases.workflow.actions``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from streetbrain.core.api.viewsets import ScopedModelViewSet

from .. import filtersets
from ..intake.actions import submit_report
from ..intake.pipeline import ReportInput, label_of
from ..models import Case, CaseEvent, Notification, Report, RoutingRule, Sensor, TimeLimitStandard
from ..workflow import actions
from . import serializers

CASE_RELATED = (
    "component_class",
    "org_unit",
    "community",
    "department",
    "suggested_department",
    "sensor",
)
MAX_IDEMPOTENCY_KEY = 100


def domain_call(func, *args, **kwargs):
    """Call a domain action; its ValidationError becomes a 400 whose body always maps fields
    (or ``non_field_errors``) to messages, its PermissionDenied a 403."""
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


class CanAddCase(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("cases.add_case"))


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lists and details restricted to what the caller may view; writes happen only through
    the viewset's actions, which call the domain functions (they check role and scope)."""

    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs


NOT_FILTERED = {"filter_backends": [], "pagination_class": None}


class CaseViewSet(ScopedReadViewSet):
    """Cases (案卷) in the caller's scope (a department sees the cases dispatched to it).

    ``GET …/{id}/actions/`` lists the steps the caller may take now; ``POST
    …/{id}/actions/{name}/`` takes one (``note``, ``department``, ``amount``/``unit``,
    ``photos`` as the step needs)."""

    model = Case
    select_related = CASE_RELATED
    serializer_class = serializers.CaseSerializer
    filterset_class = filtersets.CaseFilterSet
    ordering_fields = ["reported_at", "number", "deadline", "state", "report_count", "updated_at"]

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.CaseSerializer
        return serializers.CaseDetailSerializer

    def _case_response(self, case: Case) -> Response:
        fresh = self.get_queryset().filter(pk=case.pk).first()
        if fresh is None:  # the step took the case out of the caller's scope (e.g. dispatch)
            return Response({"id": case.pk, "number": case.number, "state": case.state})
        return Response(
            serializers.CaseDetailSerializer(fresh, context=self.get_serializer_context()).data
        )

    @extend_schema(responses=serializers.CaseEventSerializer(many=True))
    @action(detail=True, methods=["get"], **NOT_FILTERED)
    def events(self, request, pk=None):
        """The case's timeline, oldest first."""
        case = self.get_object()
        events = (
            CaseEvent.objects.restrict(request.user, "view")
            .filter(case=case)
            .select_related("department")
        )
        return Response(serializers.CaseEventSerializer(events, many=True).data)

    @extend_schema(responses=serializers.ReportSerializer(many=True))
    @action(detail=True, methods=["get"], **NOT_FILTERED)
    def reports(self, request, pk=None):
        """The reports behind the case (phones masked)."""
        case = self.get_object()
        reports = (
            Report.objects.restrict(request.user, "view")
            .filter(case=case)
            .select_related("case", "requested_class", "split_from")
        )
        return Response(serializers.ReportSerializer(reports, many=True).data)

    @extend_schema(responses=serializers.TransitionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="actions", **NOT_FILTERED)
    def available_actions(self, request, pk=None):
        """The steps the caller may take on this case now."""
        case = self.get_object()
        return Response(
            [
                {
                    "name": t.name,
                    "label": str(t.label),
                    "style": t.style,
                    "inputs": list(t.inputs),
                    "note_required": t.note_required,
                }
                for t in actions.available(case, request.user)
            ]
        )

    @extend_schema(
        request=serializers.ActionInputSerializer,
        responses=serializers.CaseDetailSerializer,
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"actions/(?P<name>[a-z_]+)",
        permission_classes=[IsAuthenticated],
        **NOT_FILTERED,
    )
    def perform(self, request, pk=None, name=None):
        """Take step ``name`` (see ``…/actions/``). 403 if the caller's role may not, 400 with
        the fields at fault if the case's state or the input does not allow it."""
        transition = actions.TRANSITIONS.get(name)
        if transition is None:
            raise Http404
        case = self.get_object()
        data = serializers.ActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inputs = dict(data.validated_data)
        # An input the step does not take is refused: a client must not believe that, say,
        # an acceptance also dispatched the case somewhere.
        unknown = [k for k in inputs if k not in transition.inputs]
        if unknown:
            raise exceptions.ValidationError(
                {k: _("This step does not take this input.") for k in unknown}
            )
        case = domain_call(actions.perform, case, name, request.user, **inputs)
        return self._case_response(case)

    @extend_schema(
        request=serializers.ReclassifySerializer, responses=serializers.CaseDetailSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def reclassify(self, request, pk=None):
        """Set the case's class (the correction is kept as training data)."""
        case = self.get_object()
        data = serializers.ReclassifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = domain_call(
            actions.reclassify,
            case,
            data.validated_data["component_class"],
            request.user,
            note=data.validated_data.get("note", ""),
        )
        return self._case_response(case)

    @extend_schema(request=serializers.PlaceSerializer, responses=serializers.CaseDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], **NOT_FILTERED)
    def place(self, request, pk=None):
        """Place the case on the map (WGS-84): its grid cell and community follow."""
        case = self.get_object()
        data = serializers.PlaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = domain_call(
            actions.place_case,
            case,
            request.user,
            lon=data.validated_data["lon"],
            lat=data.validated_data["lat"],
            note=data.validated_data.get("note", ""),
        )
        return self._case_response(case)


class ReportViewSet(ScopedReadViewSet):
    """Reports (one reporter, one channel) in the caller's scope; ``POST`` enters a new one.

    ``POST /api/cases/reports/`` runs the intake pipeline (place, classify, merge with an open
    duplicate, route, time limit): 201 with the case number and whether the report merged.
    Send an ``Idempotency-Key`` header to make retries safe: a repeated key (per user)
    answers 200 with the first result and stores nothing."""

    model = Report
    select_related = ("case", "requested_class", "split_from")
    serializer_class = serializers.ReportSerializer
    ordering_fields = ["received_at"]

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), CanAddCase()]
        if self.action == "split":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=serializers.IntakeSerializer,
        responses={
            201: serializers.IntakeResultSerializer,
            200: serializers.IntakeResultSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="a key of up to 100 characters; the same key (per user) is stored once",
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
            raise exceptions.ValidationError(
                {
                    "idempotency_key": _(
                        "The Idempotency-Key header may have at most %(n)d printable characters."
                    )
                    % {"n": MAX_IDEMPOTENCY_KEY}
                }
            )
        data = serializers.IntakeSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        report_input = ReportInput(
            channel=v["channel"],
            title=v.get("title", ""),
            description=v.get("description", ""),
            lon=v.get("lon"),
            lat=v.get("lat"),
            address=v.get("address", ""),
            address_id=v.get("address_id", ""),
            requested_class=v.get("component_class"),
            facility=v.get("facility"),
            attributes=v.get("attributes") or {},
            media_url=v.get("media_url", ""),
            reporter_name=v.get("reporter_name", ""),
            phone=v.get("phone", ""),
            email=v.get("email", ""),
            external_id=v.get("external_id", ""),
            photos=v.get("photos") or [],
            user=request.user,
            idempotency_key=f"api:{request.user.pk}:{key}" if key else "",
        )
        result = domain_call(submit_report, report_input)
        case = result.case
        body = {
            "report": result.report.pk,
            "case": case.pk,
            "number": case.number,
            "state": case.state,
            "state_label": case.get_state_display(),
            "merged": not result.report.is_primary,
            "replayed": not result.created,
            "component_class": label_of(case.component_class) or None,
            "needs_triage": case.needs_triage,
            "token": result.report.token,
        }
        return Response(
            serializers.IntakeResultSerializer(body).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(request=serializers.NoteSerializer, responses=serializers.CaseDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def split(self, request, pk=None):
        """Undo a wrong merge: the report leaves its case and opens a new case of its own."""
        report = self.get_object()
        data = serializers.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = domain_call(
            actions.split_report, report, request.user, note=data.validated_data.get("note", "")
        )
        visible = Case.objects.restrict(request.user, "view").select_related(*CASE_RELATED)
        fresh = visible.filter(pk=case.pk).first() or case
        return Response(
            serializers.CaseDetailSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class RoutingRuleViewSet(ScopedModelViewSet):
    """Routing rules: (class, area) → responsible department (reference data)."""

    model = RoutingRule
    select_related = ("component_class", "area", "department")
    serializer_class = serializers.RoutingRuleSerializer
    filterset_class = filtersets.RoutingRuleFilterSet
    ordering_fields = ["priority", "id"]


class TimeLimitViewSet(ScopedModelViewSet):
    """立结案标准: the time limit and duplicate rules per class (reference data)."""

    model = TimeLimitStandard
    select_related = ("component_class",)
    serializer_class = serializers.TimeLimitSerializer
    filterset_class = filtersets.TimeLimitFilterSet
    ordering_fields = ["component_class__code", "limit_amount"]


class SensorViewSet(ScopedModelViewSet):
    """Sensors and AI cameras whose alarms arrive over MQTT, in the caller's scope."""

    model = Sensor
    select_related = ("component_class", "org_unit")
    serializer_class = serializers.SensorSerializer
    filterset_class = filtersets.SensorFilterSet
    ordering_fields = ["device_id", "last_alarm_at"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications (about to expire, overdue, dispatched …), newest first."""

    serializer_class = serializers.NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = filtersets.NotificationFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user).select_related("case")

    @extend_schema(request=None, responses=serializers.NotificationSerializer)
    @action(detail=True, methods=["post"], **NOT_FILTERED)
    def read(self, request, pk=None):
        """Mark the notification read (once: the first time is kept)."""
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=serializers.ReadAllResultSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", **NOT_FILTERED)
    def read_all(self, request):
        """Mark all the caller's unread notifications read."""
        marked = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked": marked})
