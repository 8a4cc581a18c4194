from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import Activity, Booking, PointEntry, Space


class SpaceSerializer(ScopedModelSerializer):
    # Local wall-clock times (Asia/Shanghai) without an offset: OpenAPI's "time" format
    # (RFC 3339) would demand one, so they are plain strings.
    opens = serializers.CharField(read_only=True, help_text=_("Opens at (local time, HH:MM:SS)."))
    closes = serializers.CharField(read_only=True, help_text=_("Closes at (local time, HH:MM:SS)."))

    class Meta:
        model = Space
        fields = [
            "id",
            "name",
            "kind",
            "capacity",
            "slot_minutes",
            "opens",
            "closes",
            "days",
            "who",
            "weekly_limit",
            "location",
            "active",
        ]
        read_only_fields = fields


class BookingSerializer(ScopedModelSerializer):
    space_name = serializers.CharField(source="space.name", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "space",
            "space_name",
            "start",
            "end",
            "household",
            "people",
            "purpose",
            "state",
            "checked_in_at",
        ]
        read_only_fields = ["id", "space_name", "end", "household", "state", "checked_in_at"]


class BookingRequestSerializer(serializers.Serializer):
    """What a booking request names: the space, the slot's start (with its offset), people."""

    space = serializers.IntegerField(help_text=_("The space's id."))
    start = serializers.DateTimeField(
        help_text=_("The slot's start, e.g. 2026-12-07T09:00:00+08:00.")
    )
    people = serializers.IntegerField(min_value=1, max_value=500, default=1)
    purpose = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ClashSerializer(serializers.Serializer):
    """The 409 answer: the message and the slot that is taken."""

    detail = serializers.CharField()
    conflict = serializers.DictField()


class ActivitySerializer(ScopedModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "kind",
            "description",
            "starts",
            "ends",
            "place",
            "capacity",
            "points",
            "volunteer_hours",
            "cancelled",
        ]
        read_only_fields = fields


class PointEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = PointEntry
        fields = ["id", "household", "kind", "points", "hours", "reason", "activity", "created_at"]
        read_only_fields = fields
