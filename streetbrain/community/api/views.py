"""The community platform's REST API, under /api/community/: the bookable spaces
(``facilities``) and the bookings. Scoped like the pages: staff see their area's, a verified
resident their household's bookings and their community's spaces. A booking of a taken slot
answers 409 with the slot that holds it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from streetbrain.core.api.permissions import ScopedModelPermissions

from .. import actions
from ..models import Activity, Booking, PointEntry, Space, account_of
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
            return Response(
                {"detail": exc.messages[0], "conflict": conflict_of(exc.booking)},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            detail = (
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
            )
            raise exceptions.ValidationError(detail) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc) or None) from exc
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
