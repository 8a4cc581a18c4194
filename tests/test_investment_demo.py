"""招商's demo: leads over the 36 months in every stage, the signed ones being the economy demo's
own leases (same enterprise, signed the day the lease was), every lead and park marked demo,
the two parks with e-commerce tenants and turnover, a published whitelist computed from it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from streetbrain.core import extension_points as ep
from streetbrain.core.audit import audit_context
from streetbrain.demo import core as core_demo
from streetbrain.demo import economy as economy_demo
from streetbrain.demo import investment as investment_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo.context import DemoContext
from streetbrain.demo.extensions import in_order
from streetbrain.investment import dashboard, matching, whitelist
from streetbrain.investment.models import (
    EcommerceTurnover,
    Lead,
    LeadEvent,
    Park,
    Stage,
    WhitelistEntry,
)

TODAY = dt.date(2026, 3, 18)


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(password="streetbrain-demo")
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=0.02)
            economy_demo.load(ctx, scale=0.05, today=TODAY)
            investment_demo.load(ctx, scale=0.02, today=TODAY)
        yield ctx
        transaction.set_rollback(True)


def test_investment_loads_after_the_economy():
    keys = [loader.key for loader in in_order(ep.items(ep.DemoLoader))]
    assert keys.index("investment") > keys.index("economy")


@pytest.mark.django_db
def test_leads_in_every_stage_signed_ones_are_real_leases(district):
    leads = Lead.objects.all()
    assert leads.count() >= 60 and not leads.exclude(data_source="demo").exists()
    assert set(leads.values_list("stage", flat=True)) == set(Stage.values)
    first = min(leads.values_list("opened_on", flat=True))
    assert (TODAY - first).days > 600  # spread over the economy's history
    signed = leads.filter(stage__in=[Stage.SIGNED, Stage.LANDED])
    assert signed.count() >= 10
    for lead in signed.select_related("lease", "enterprise"):
        assert lead.lease.enterprise_id == lead.enterprise_id
        assert lead.credit_code == lead.enterprise.credit_code
        event = lead.events.get(to_stage=Stage.SIGNED)
        assert event.date == (lead.lease.signed_on or lead.lease.start_date)
        assert lead.area_min_m2 <= lead.lease.area_m2 <= lead.area_max_m2
    for lead in leads.filter(stage=Stage.LOST):
        assert lead.lost_reason
    # Every timeline runs forward in time and ends at the lead's stage.
    for lead in leads:
        stages = list(
            LeadEvent.objects.filter(lead=lead)
            .exclude(to_stage="")
            .order_by("date", "pk")
            .values_list("to_stage", "date")
        )
        assert stages[0][0] == Stage.LEAD and stages[-1][0] == lead.stage
        assert [d for _s, d in stages] == sorted(d for _s, d in stages)


@pytest.mark.django_db
def test_parks_whitelist_and_dashboard(district):
    parks = Park.objects.all()
    assert sorted(parks.values_list("name", flat=True)) == ["会展中心9号馆", "宁波驿淘互联网产业园"]
    assert EcommerceTurnover.objects.exists()
    from streetbrain.investment import parks as park_figures

    progress = park_figures.progress(parks.first(), today=TODAY)
    assert len(progress) == 5 and all(p["gap"] >= 0 for p in progress)
    run = whitelist.published(TODAY.year)
    assert run is not None and run.demo and run.version == 1
    assert run.entries.filter(level=WhitelistEntry.Level.DIVISION).count() > 5
    summary = dashboard.summary(_superuser(), TODAY)
    funnel = dict((s, n) for s, _l, n in summary["funnel"])
    assert funnel["lead"] == Lead.objects.count()
    assert funnel["lead"] >= funnel["contact"] >= funnel["signed"] >= funnel["landed"] > 0
    open_lead = Lead.objects.filter(stage=Stage.NEGOTIATION).first()
    assert isinstance(matching.match_lead(open_lead, None, today=TODAY), list)


def _superuser():
    from streetbrain.core.models import User

    return User.objects.filter(is_superuser=True).first()
