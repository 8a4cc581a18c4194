"""AI企服's demo at test scale: the reference policies (with their sources) beside the demo's
(marked demo), matches for every operating demo enterprise, notices at every stage, and the
``enterprise`` account linked to a demo enterprise whose page works end to end (the issue's
"Done when" path: an officer sees who qualifies and why the others do not, sends a notice,
watches it read and granted; the enterprise sees its matches and raises a routed request)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from streetbrain.core.audit import audit_context
from streetbrain.core.models import User
from streetbrain.demo import core as core_demo
from streetbrain.demo import economy as economy_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo import services as services_demo
from streetbrain.demo.context import DemoContext
from streetbrain.economy.models import Enterprise
from streetbrain.services import actions
from streetbrain.services.models import (
    Clause,
    EnterpriseAccount,
    EnterpriseRequest,
    Match,
    Notice,
    Policy,
    Source,
    Verdict,
)

PASSWORD = "streetbrain-demo"


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(password=PASSWORD)
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=0.02)
            economy_demo.load(ctx, scale=0.02)
            services_demo.load(ctx)
        yield ctx
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_loads_reference_and_demo_policies_matches_and_notices(district):
    assert services_demo.is_loaded()
    assert Policy.objects.filter(source=Source.REFERENCE).count() == 11
    assert Policy.objects.filter(source=Source.DEMO).count() == 4
    assert Clause.objects.filter(current=True).count() >= 30
    operating = Enterprise.objects.filter(status="active").count()
    assert Match.objects.count() == operating * Clause.objects.filter(current=True).count()
    verdicts = set(Match.objects.values_list("verdict", flat=True))
    assert verdicts == set(Verdict.values)
    assert set(Notice.objects.values_list("state", flat=True)) == set(Notice.State.values)


@pytest.mark.django_db
def test_done_when_path(district):
    officer = Client()
    officer.force_login(User.objects.get(username="services"))
    clause = Clause.objects.get(key="楼宇企业稳岗奖励", current=True)
    html = officer.get(reverse("services:clause_detail", args=[clause.pk])).content.decode()
    assert "verdict-auto" in html and "verdict-ineligible" in html
    pending = (
        Match.objects.filter(clause=clause, verdict=Verdict.AUTO)
        .exclude(enterprise_id__in=Notice.objects.filter(clause=clause).values("enterprise_id"))
        .count()
    )
    assert pending > 0
    before = Notice.objects.filter(clause=clause).count()
    officer.post(reverse("services:clause_send", args=[clause.pk]), {"message": ""})
    assert Notice.objects.filter(clause=clause).count() == before + pending
    account = EnterpriseAccount.objects.get(user__username="enterprise")
    ent = Client()
    ent.force_login(User.objects.get(username="enterprise"))
    html = ent.get(reverse("services:me")).content.decode()
    assert account.enterprise.name in html
    notice = Notice.objects.filter(enterprise=account.enterprise).first()
    assert notice is not None and notice.state != "delivered"  # the page marked it read
    if notice.state == "read":
        actions.advance_notice(notice, "grant", User.objects.get(username="services"), amount=5000)
        notice.refresh_from_db()
        assert notice.state == "granted"
    r = ent.post(reverse("services:me"), {"kind": "90001", "text": "需要招聘10名软件工程师"})
    assert r.status_code == 302
    case = EnterpriseRequest.objects.get(enterprise=account.enterprise).case
    assert case.suggested_department.code == "jfb"
