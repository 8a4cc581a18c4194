"""The community platform's REST API, under /api/community/: the bookable spaces
(``facilities``), the bookings, activities and sign-ups, points, consultations, services and
their requests, and the residents' proposals. Scoped like the pages: staff see their area's,
a verified resident their household's rows and their community's public ones. A booking of a
taken slot answers 409 with the slot that holds it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from streetbrain.core.api.permissions import ScopedModelPermissions
from streetbrain.registry.models import Resident

from .. import actions
from ..models import (
    Activity,
    Booking,
    Consultation,
    PointEntry,
    Proposal,
    Service,
    ServiceRequest,
    Signup,
    Space,
    account_of,
)
from . import serializers


class ResidentOrModelPermissions(ScopedModelPermissions):
    """Staff: the model permissions. A verified resident: reads, and the POST of a booking
    (``actions.book`` checks the rules); ``restrict`` gives them their household's rows."""

    def has_permission(self, request, view):
        if account_of(request.user) is not None and request.method in (
            "GET",
            "HEAD",
            "OPTIONS",
            "POST",
        ):
            return request.method != "POST" or getattr(view, "resident_may_post", False)
        return super().has_permission(request, view)


class ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    model = None
    select_related: tuple[str, ...] = ()
    permission_classes = [ResidentOrModelPermissions]

    def get_queryset(self):
        qs = self.model.objects.restrict(self.request.user, "view")
        return qs.select_related(*self.select_related) if self.select_related else qs


class SpaceViewSet(ScopedReadViewSet):
    """The 城市综合服务体's bookable spaces with their opening hours and rules."""

    model = Space
    serializer_class = serializers.SpaceSerializer
    ordering = ["kind", "name"]


def api_error(exc) -> exceptions.APIException:
    """An action's refusal as the API's answer: 400 with the fields, or 403."""
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    detail = (
        exc.message_dict
        if hasattr(exc, "error_dict")
        else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    )
    return exceptions.ValidationError(detail)


def clash(exc: actions.SlotTaken) -> Response:
    """The 409 answer: the message and the slot that holds it."""
    body = {"detail": exc.messages[0], "conflict": conflict_of(exc.booking)}
    return Response(body, status=status.HTTP_409_CONFLICT)


def conflict_of(booking: Booking) -> dict:
    return {
        "booking": booking.pk,
        "space": booking.space_id,
        "start": timezone.localtime(booking.start).isoformat(),
        "end": timezone.localtime(booking.end).isoformat(),
    }


class BookingViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """Bookings: staff see their area's, a resident their household's. POST books a slot."""

    model = Booking
    select_related = ("space",)
    resident_may_post = True
    serializer_class = serializers.BookingSerializer
    ordering = ["-start"]

    @extend_schema(
        request=serializers.BookingRequestSerializer,
        responses={
            201: serializers.BookingSerializer,
            409: OpenApiResponse(serializers.ClashSerializer, description="The slot is taken."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = serializers.BookingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        space = Space.objects.restrict(request.user).filter(pk=data.validated_data["space"]).first()
        if space is None:
            raise exceptions.ValidationError({"space": [_("No such space in your community.")]})
        try:
            booking = actions.book(
                space,
                data.validated_data["start"],
                request.user,
                people=data.validated_data["people"],
                purpose=data.validated_data.get("purpose", ""),
            )
        except actions.SlotTaken as exc:
            return clash(exc)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        out = serializers.BookingSerializer(booking, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


class ActivityViewSet(ScopedReadViewSet):
    """The community's neighbourhood activities (未来邻里)."""

    model = Activity
    serializer_class = serializers.ActivitySerializer
    ordering = ["-starts"]


class PointEntryViewSet(ScopedReadViewSet):
    """邻里积分: ledger entries, each with its reason (a resident: their household's)."""

    model = PointEntry
    serializer_class = serializers.PointEntrySerializer
    ordering = ["-created_at", "-id"]


class ConsultationViewSet(ScopedReadViewSet):
    """议事: the community's consultations with their options; a verified household votes
    once while voting is open (POST …/vote/)."""

    model = Consultation
    serializer_class = serializers.ConsultationSerializer
    ordering = ["-opens", "id"]
    resident_may_post = True

    def get_queryset(self):
        return super().get_queryset().prefetch_related("options")

    @extend_schema(
        request=serializers.VoteRequestSerializer,
        responses={201: serializers.VoteSerializer},
    )
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        consultation = self.get_object()
        data = serializers.VoteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        option = consultation.options.filter(pk=data.validated_data["option"]).first()
        if option is None:
            raise exceptions.ValidationError(
                {"option": [_("Choose one of this question's options.")]}
            )
        try:
            ballot = actions.vote(consultation, option, request.user)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        out = serializers.VoteSerializer(ballot, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


class ServiceViewSet(ScopedReadViewSet):
    """未来服务: the community's services catalogue and what a request of each becomes."""

    model = Service
    select_related = ("tag",)
    serializer_class = serializers.ServiceSerializer
    ordering = ["category", "name"]


class ServiceRequestViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """Service requests: a resident's household's (POST requests one for a member: answered
    by the staff, filed as a case or booked, as the service says); staff: their area's."""

    model = ServiceRequest
    select_related = ("service", "report__case")
    serializer_class = serializers.ServiceRequestSerializer
    ordering = ["-created_at", "-id"]
    resident_may_post = True

    @extend_schema(
        request=serializers.ServiceRequestInputSerializer,
        responses={
            201: serializers.ServiceRequestSerializer,
            409: OpenApiResponse(serializers.ClashSerializer, description="The slot is taken."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = serializers.ServiceRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        service = Service.objects.restrict(request.user).filter(pk=values["service"]).first()
        if service is None:
            raise exceptions.ValidationError({"service": [_("No such service in your community.")]})
        account = account_of(request.user)
        if account is None:
            raise exceptions.PermissionDenied(_("Only verified residents can do this."))
        member = Resident.objects.filter(
            household_id=account.household_id, pk=values["resident"]
        ).first()
        if member is None:
            raise exceptions.ValidationError(
                {"resident": [_("Only for members of your household.")]}
            )
        try:
            req = actions.request_service(
                service, member, request.user, note=values["note"], start=values["start"]
            )
        except actions.SlotTaken as exc:
            return clash(exc)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        out = serializers.ServiceRequestSerializer(req, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)


class SignupViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """未来邻里 sign-ups: a resident's household's (POST signs up for an activity: a place, or
    the waiting list; POST …/cancel/ cancels); staff: their area's."""

    model = Signup
    select_related = ("activity",)
    serializer_class = serializers.SignupSerializer
    ordering = ["-created_at", "-id"]
    resident_may_post = True

    @extend_schema(
        request=serializers.SignupRequestSerializer,
        responses={201: serializers.SignupSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = serializers.SignupRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = (
            Activity.objects.restrict(request.user)
            .filter(pk=data.validated_data["activity"])
            .first()
        )
        if activity is None:
            raise exceptions.ValidationError(
                {"activity": [_("No such activity in your community.")]}
            )
        try:
            signup = actions.join_activity(activity, request.user)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        out = serializers.SignupSerializer(signup, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.SignupSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        signup = self.get_object()
        try:
            signup = actions.leave_activity(signup, request.user)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        return Response(serializers.SignupSerializer(signup, context={"request": request}).data)


class ProposalReviewPermission(ScopedModelPermissions):
    """Reviewing a proposal takes ``community.review_proposal`` (the community's staff)."""

    perms_map = {**ScopedModelPermissions.perms_map, "POST": ["community.review_proposal"]}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                str,
                enum=Proposal.State.values,
                description="Only the proposals in this state (proposed: waiting for review).",
            )
        ]
    )
)
class ProposalViewSet(mixins.CreateModelMixin, ScopedReadViewSet):
    """议题征集: residents' proposals. A resident sees and proposes their household's (POST);
    the community's staff see their area's and review them (POST …/review/: accepted, a
    consultation open for votes; declined, with the reason the household reads)."""

    model = Proposal
    select_related = ("consultation",)
    serializer_class = serializers.ProposalSerializer
    ordering = ["-created_at", "-id"]
    resident_may_post = True

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.query_params.get("state")
        return qs.filter(state=state) if state in Proposal.State.values else qs

    @extend_schema(
        request=serializers.ProposalRequestSerializer,
        responses={201: serializers.ProposalSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = serializers.ProposalRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            proposal = actions.propose(
                request.user,
                values["question"],
                "\n".join(values["options"]),
                values["background"],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        out = serializers.ProposalSerializer(proposal, context={"request": request})
        return Response(out.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ProposalReviewSerializer,
        responses={200: serializers.ProposalSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[ProposalReviewPermission])
    def review(self, request, pk=None):
        proposal = self.get_object()
        data = serializers.ProposalReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            proposal = actions.review_proposal(
                proposal,
                request.user,
                accept=values["accept"],
                reason=values["reason"],
                opens=values["opens"],
                closes=values["closes"],
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise api_error(exc) from exc
        out = serializers.ProposalSerializer(proposal, context={"request": request})
        return Response(out.data)
