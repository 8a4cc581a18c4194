"""Serializers of the linkage's API: sources, staged records (personal numbers masked), conflicts,
and the inputs of a review decision and of one record to link."""

from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import Conflict, Decision, Source, StagedRecord


class SourceSerializer(ScopedModelSerializer):
    link_rate = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "department",
            "kind",
            "delivered_on",
            "file_name",
            "rows",
            "linked",
            "review",
            "new",
            "link_rate",
            "linked_at",
            "is_demo",
        ]
        read_only_fields = fields


class StagedRecordSerializer(ScopedModelSerializer):
    source = serializers.PrimaryKeyRelatedField(read_only=True)
    resident = serializers.PrimaryKeyRelatedField(read_only=True)
    enterprise = serializers.PrimaryKeyRelatedField(read_only=True)
    house = serializers.PrimaryKeyRelatedField(read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = StagedRecord
        fields = [
            "id",
            "source",
            "row",
            "name",
            "values",
            "id_number",
            "phone",
            "state",
            "how",
            "resident",
            "enterprise",
            "house",
            "house_how",
            "probability",
            "weights",
        ]
        read_only_fields = fields


class ConflictSerializer(ScopedModelSerializer):
    record = serializers.PrimaryKeyRelatedField(read_only=True)
    resident = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Conflict
        fields = [
            "id",
            "record",
            "resident",
            "field",
            "registry_value",
            "source_value",
            "state",
            "resolved_at",
            "note",
        ]
        read_only_fields = fields


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.Outcome.choices)


class ResolveSerializer(serializers.Serializer):
    adopt = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LinkOneSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
