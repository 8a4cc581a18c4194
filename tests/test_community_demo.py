"""The community platform's demo part at the test scale: 8 spaces of the 城市综合服务体, bookings
one per slot, the ``resident`` account verified in 江城 and seeing its household's bookings
only, the ``community`` staff account scoped to 江城, claims waiting in the queue."""

from __future__ import annotations

import pytest
from django.db.models import Count

from streetbrain.community.models import Booking, ResidentAccount, Space
from streetbrain.core.models import User


@pytest.fixture
def demo(db):
    from streetbrain.demo import community, core, registry
    from streetbrain.demo.context import DemoContext

    ctx = DemoContext()
    core.load(ctx)
    registry.load(ctx)
    community.load(ctx)
    return ctx


def test_jiangchengs_homes_are_the_registrys(demo):
    """The community works on the registry's 江城 — its planned compounds and buildings at the
    load's scale (8 and 43 at full scale), no homes of its own — and the life circle covers
    every one of their houses."""
    from streetbrain.community import lifecircle
    from streetbrain.core.models import OrgUnit
    from streetbrain.demo.context import default_scale
    from streetbrain.demo.synth.registry import fixed_counts
    from streetbrain.registry.models import Building, House

    jiangcheng = OrgUnit.objects.get(level="community", name="江城社区")
    compounds, buildings = fixed_counts("江城社区", default_scale())
    mine = Building.objects.filter(org_unit__path__startswith=jiangcheng.path)
    assert mine.count() == buildings and mine.values("compound").distinct().count() == compounds
    assert set(mine.values_list("data_source", flat=True)) == {"demo"}
    assert not any("synthetic compound" in line for line in demo.log)
    account = ResidentAccount.objects.get(user__username="resident")
    assert account.house.building in mine
    houses = House.objects.filter(building__in=mine).count()
    circle = lifecircle.compute(jiangcheng)
    assert circle.houses == houses > 0
    assert len(circle.buildings) == buildings and circle.compounds == compounds


def test_demo_loads_spaces_bookings_and_accounts(demo):
    assert Space.objects.filter(data_source="demo").count() == 8
    assert Booking.objects.count() > 1000
    duplicates = (
        Booking.objects.exclude(state="cancelled")
        .values("space", "start")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    resident = User.objects.get(username="resident")
    account = ResidentAccount.objects.get(user=resident)
    assert account.state == "verified" and account.community.name == "江城社区"
    assert account.house is not None
    mine = Booking.objects.restrict(resident)
    assert set(mine.values_list("household_id", flat=True)) <= {account.household_id}
    staff = User.objects.get(username="community")
    assert staff.org_unit.name == "江城社区"
    assert Booking.objects.restrict(staff).count() == Booking.objects.count()
    assert ResidentAccount.objects.restrict(staff).filter(state="pending").count() == 4
    assert any("community" in line for line in demo.log)
    from streetbrain.community.models import Activity, PointEntry, Signup

    assert Activity.objects.count() == 60
    assert PointEntry.objects.filter(kind__in=["activity", "volunteer"]).exists()
    assert not PointEntry.objects.filter(reason="").exists()
    assert Signup.objects.filter(state="attended").exists()
    from streetbrain.community.models import Consultation, Vote

    assert Consultation.objects.count() == 3
    assert Vote.objects.exists()
    from streetbrain.community.models import Proposal, Service

    handled = dict(Service.objects.values_list("name", "handling"))
    assert handled["公共设施报修"] == "case" and handled["长者健身指导"] == "booking"
    assert Service.objects.get(handling="booking").space.name == "长者活动室"
    states = sorted(Proposal.objects.values_list("state", flat=True))
    assert states == ["accepted", "declined", "proposed"]
    accepted = Proposal.objects.get(state="accepted")
    assert accepted.consultation.question == accepted.question
    assert Proposal.objects.get(state="declined").reason
