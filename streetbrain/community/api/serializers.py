from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import (
    Activity,
    Booking,
    Consultation,
    ConsultationOption,
    PointEntry,
    Proposal,
    Service,
    ServiceRequest,
    Signup,
    Space,
    Vote,
)


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


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsultationOption
        fields = ["id", "text"]
        read_only_fields = fields


class ConsultationSerializer(ScopedModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = ["id", "question", "background", "opens", "closes", "outcome", "options"]
        read_only_fields = fields


class VoteRequestSerializer(serializers.Serializer):
    option = serializers.IntegerField(help_text=_("The id of one of the question's options."))


class VoteSerializer(ScopedModelSerializer):
    class Meta:
        model = Vote
        fields = ["id", "consultation", "option", "household", "created_at"]
        read_only_fields = fields


class ServiceSerializer(ScopedModelSerializer):
    tag = serializers.CharField(source="tag.code", read_only=True, default=None)
    # A plain string: another app's "category" choices would collide with this enum's name.
    category = serializers.CharField(
        read_only=True, help_text=_("elderly, children, certificates or convenience.")
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "category",
            "description",
            "min_age",
            "max_age",
            "tag",
            "time_limit_days",
            "handling",
            "space",
        ]
        read_only_fields = fields


class ServiceRequestSerializer(ScopedModelSerializer):
    service_name = serializers.CharField(source="service.name", read_only=True)
    case_number = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "service",
            "service_name",
            "household",
            "resident",
            "note",
            "state",
            "deadline",
            "answer",
            "case_number",
            "booking",
            "created_at",
        ]
        read_only_fields = fields

    def get_case_number(self, obj) -> str | None:
        return obj.report.case.number if obj.report_id else None


class ServiceRequestInputSerializer(serializers.Serializer):
    """A request: the service, the household member it is for, what is needed (a service
    handled as a case), the slot (a service handled as a booking)."""

    service = serializers.IntegerField()
    resident = serializers.IntegerField(help_text=_("A member of the caller's household."))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start = serializers.DateTimeField(required=False, allow_null=True, default=None)


class SignupSerializer(ScopedModelSerializer):
    activity_title = serializers.CharField(source="activity.title", read_only=True)

    class Meta:
        model = Signup
        fields = ["id", "activity", "activity_title", "household", "state", "created_at"]
        read_only_fields = fields


class SignupRequestSerializer(serializers.Serializer):
    activity = serializers.IntegerField(help_text=_("The activity's id."))


class ProposalSerializer(ScopedModelSerializer):
    options = serializers.ListField(
        source="option_lines",
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The suggested options, in order."),
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "household",
            "question",
            "background",
            "options",
            "state",
            "reason",
            "consultation",
            "created_at",
            "decided_at",
        ]
        read_only_fields = fields


class ProposalRequestSerializer(serializers.Serializer):
    """A resident's proposal: the question, its background and two to ten options."""

    question = serializers.CharField(max_length=200)
    background = serializers.CharField(required=False, allow_blank=True, default="")
    options = serializers.ListField(
        child=serializers.CharField(max_length=200),
        help_text=_("Two to ten options, in order."),
    )


class ProposalReviewSerializer(serializers.Serializer):
    """The staff's review: accept (it becomes a consultation open for votes) or decline with
    the reason the household reads."""

    accept = serializers.BooleanField()
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when declining."),
    )
    opens = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text=_("Voting opens (default: now).")
    )
    closes = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Voting closes (default: 14 days after it opens)."),
    )
