"""Serializers of the services' API: policies with their clauses, matches with their
verdict, reasons and amount, notices with their steps."""

from rest_framework import serializers

from streetbrain.core.api.serializers import ScopedModelSerializer

from ..models import Clause, Match, Notice, NoticeEvent, Policy


class ClauseSerializer(ScopedModelSerializer):
    class Meta:
        model = Clause
        fields = [
            "id",
            "key",
            "version",
            "current",
            "valid_from",
            "title",
            "text",
            "benefit",
            "conditions",
            "path",
            "documents",
        ]
        read_only_fields = fields


class PolicySerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:services:policy-detail")
    clauses = ClauseSerializer(many=True, read_only=True)

    class Meta:
        model = Policy
        fields = [
            "id",
            "url",
            "key",
            "title",
            "issuer",
            "doc_no",
            "level",
            "effective_from",
            "effective_to",
            "source",
            "sources",
            "note",
            "text",
            "clauses",
            "updated_at",
        ]
        read_only_fields = fields


class MatchSerializer(ScopedModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    credit_code = serializers.CharField(source="enterprise.credit_code", read_only=True)
    policy = serializers.IntegerField(source="clause.policy_id", read_only=True)
    clause_title = serializers.CharField(source="clause.title", read_only=True)
    clause_version = serializers.IntegerField(source="clause.version", read_only=True)

    class Meta:
        model = Match
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "credit_code",
            "policy",
            "clause",
            "clause_title",
            "clause_version",
            "verdict",
            "reasons",
            "amount",
            "computed_at",
        ]
        read_only_fields = fields


class NoticeEventSerializer(ScopedModelSerializer):
    class Meta:
        model = NoticeEvent
        fields = ["time", "from_state", "to_state", "note", "data"]
        read_only_fields = fields


class NoticeSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:services:notice-detail")
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    events = NoticeEventSerializer(many=True, read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "url",
            "enterprise",
            "enterprise_name",
            "clause",
            "state",
            "sent_at",
            "message",
            "estimated_amount",
            "granted_amount",
            "granted_on",
            "building",
            "events",
            "updated_at",
        ]
        read_only_fields = fields
