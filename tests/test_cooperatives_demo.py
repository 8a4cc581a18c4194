"""The cooperatives' demo: 16 cooperatives with 5 years of accounts, every colour out of the
product's own grading (3 red, one of them mid-exit), the history, an override, a plan each,
members linked to demo residents — and the 农经 account that sees them all."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import transaction

from streetbrain.cooperatives.models import (
    AnnualAccount,
    Colour,
    Cooperative,
    ExitProcess,
    ExitStage,
    Grade,
    Member,
    Plan,
)
from streetbrain.core.audit import audit_context
from streetbrain.core.identifiers import is_valid_credit_code
from streetbrain.core.models import User
from streetbrain.demo import cooperatives as coop_demo
from streetbrain.demo import core as core_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo.context import DemoContext

TODAY = dt.date(2026, 3, 18)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(password="streetbrain-demo")
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=0.02)
            started = time.perf_counter()
            coop_demo.load(ctx, scale=0.02, today=TODAY)
            ctx.seconds = time.perf_counter() - started
        yield ctx
        transaction.set_rollback(True)


def test_sixteen_with_five_years_and_valid_codes(district, django_db_blocker):
    with django_db_blocker.unblock():
        coops = list(Cooperative.objects.all())
        assert len(coops) == 16 and all(c.data_source == "demo" for c in coops)
        assert all(is_valid_credit_code(c.credit_code) for c in coops)
        years = set(AnnualAccount.objects.values_list("year", flat=True))
        assert years == {2021, 2022, 2023, 2024, 2025}
        assert AnnualAccount.objects.count() == 80
        assert coop_demo.is_loaded()


def test_every_colour_three_red_one_mid_exit(district, django_db_blocker):
    with django_db_blocker.unblock():
        computed = {}
        for c in Cooperative.objects.all():
            latest = Grade.objects.filter(cooperative=c).order_by("-graded_at", "-pk").first()
            assert latest.colour == c.colour
            computed[c.pk] = latest.computed_colour
        assert sorted(computed.values()).count("red") == 3
        assert {c.colour for c in Cooperative.objects.all()} == set(Colour.values)
        process = ExitProcess.objects.get()
        assert process.stage == ExitStage.VALUED and process.cooperative.colour == "red"
        assert Grade.objects.exclude(override_reason="").count() == 1
        assert Grade.objects.count() == 16 * 4 + 1  # 3 years' history, today's, one override


def test_plans_members_and_links(district, django_db_blocker):
    with django_db_blocker.unblock():
        assert Plan.objects.count() == 16
        assert Member.objects.filter(resident__isnull=False).exists()
        assert not Member.objects.filter(id_number_masked="").exists()


def test_the_officer_account_sees_the_sixteen(district, django_db_blocker):
    with django_db_blocker.unblock():
        officer = User.objects.get(username="cooperatives")
        assert Cooperative.objects.restrict(officer).count() == 16
        assert officer.has_perm("cooperatives.exit_cooperative")
        assert district.seconds < 10
