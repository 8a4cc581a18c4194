"""Party building (党建) on the demo district (core, registry at 2 %, the economy's towers at
10 %, party): coverage per tower (own / joint / none) and the gaps from the members' employers,
checked against the rows; the star rating from indicators as data; members protected; the
pages, the API (`/api/party/organisations/`, `/api/party/coverage/`), the map layer and the
cockpit panel, scoped — the "Done when" path: the party office sees which towers have no
organisation and which enterprises in them have members."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from streetbrain.core.audit import audit_context
from streetbrain.core.models import User
from streetbrain.demo import core as core_demo
from streetbrain.demo import economy as economy_demo
from streetbrain.demo import party as party_demo
from streetbrain.demo import registry as registry_demo
from streetbrain.demo.context import DemoContext
from streetbrain.economy.models import Lease, OfficeBuilding
from streetbrain.party import actions, coverage, rating
from streetbrain.party.models import (
    Activity,
    Alliance,
    Organisation,
    PartyMember,
    StarIndicator,
    StarRating,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    today = timezone.localdate()
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(password="streetbrain-demo")
        with audit_context(source="cli", reason="demo load"):
            core_demo.load(ctx)
            registry_demo.load(ctx, scale=0.02)
            economy_demo.load(ctx, scale=0.1, today=today)
            party_demo.load(ctx, today=today)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture
def officer(district, django_db_blocker):
    with django_db_blocker.unblock():
        return User.objects.get(username="party")


def test_demo_organisations_alliances_activities(district):
    assert Organisation.objects.filter(data_source="demo").count() >= 5
    assert Alliance.objects.count() == 2
    assert all(a.organisations.exists() for a in Alliance.objects.all())
    dates = Activity.objects.values_list("date", flat=True)
    assert (max(dates) - min(dates)).days >= 300  # a year of activities
    assert PartyMember.objects.filter(transient=True).exists()
    assert StarRating.objects.count() == Organisation.objects.count()
    assert party_demo.is_loaded()


def test_tower_coverage_matches_the_rows(district, officer):
    rows = coverage.towers(officer)
    assert len(rows) == OfficeBuilding.objects.count()
    kinds = Counter(r.kind for r in rows)
    assert kinds["own"] and kinds["joint"] and kinds["none"]  # a realistic mix
    for r in rows:
        forms = set(
            Organisation.objects.filter(building=r.tower, attached_to="tower").values_list(
                "form", flat=True
            )
        )
        assert r.kind == ("own" if "own" in forms else "joint" if "joint" in forms else "none")
    rate = coverage.rate(rows)
    assert rate["own"] + rate["joint"] + rate["none"] == len(rows)


def test_gaps_are_enterprises_with_three_members_and_no_organisation(district, officer):
    gaps = coverage.gaps(officer)
    assert gaps, "the demo plants enterprises with members and no organisation"
    covered = set(Organisation.objects.values_list("enterprises", flat=True))
    for enterprise, n in gaps:
        assert n >= 3 and enterprise.pk not in covered
        assert PartyMember.objects.filter(employer=enterprise).count() == n
    # The towers without an organisation name the tenants with members (the "Done when").
    tower_gaps = [g for r in coverage.towers(officer) for g in r.gaps]
    today = timezone.localdate()
    for _name, _n, pk in tower_gaps:
        assert Lease.objects.held_on(today).filter(enterprise_id=pk).exists()


def test_star_rating_is_data_driven(district):
    org = Organisation.objects.filter(activities__isnull=False).first()
    year = timezone.localdate().year
    score, stars, rows = rating.compute(org, year)
    assert 1 <= stars <= 5 and {r["code"] for r in rows} == set(
        StarIndicator.objects.values_list("code", flat=True)
    )
    StarIndicator.objects.filter(code="meetings").update(good=1000)
    lower, _s, _r = rating.compute(org, year)
    assert lower < score


def test_record_activity_checks_attendees_and_date(district, officer):
    org = Organisation.objects.filter(members__isnull=False).first()
    other = PartyMember.objects.exclude(organisation=org).exclude(organisation=None).first()
    with pytest.raises(ValidationError):
        actions.record_activity(org, "theme_day", "x", timezone.localdate(), [other], officer)
    with pytest.raises(ValidationError):
        actions.record_activity(
            org, "theme_day", "x", timezone.localdate() + dt.timedelta(days=2), [], officer
        )
    members = list(org.members.all()[:2])
    a = actions.record_activity(
        org, "theme_day", "主题党日", timezone.localdate(), members, officer
    )
    assert a.attendees.count() == len(members)


def test_members_are_masked(district):
    m = PartyMember.objects.first()
    assert "*" in m.id_number and m.id_number_cipher and m.id_number not in m.id_number_cipher


def test_done_when_dashboard_shows_towers_without_organisation_and_the_gaps(
    client, district, officer
):
    client.force_login(officer)
    html = client.get(reverse("party:index")).content.decode()
    assert 'data-kind="none"' in html and 'id="party-gaps"' in html
    name = coverage.gaps(officer)[0][0].name
    assert name in html
    org = Organisation.objects.filter(members__isnull=False).first()
    detail = client.get(org.get_absolute_url()).content.decode()
    assert "party-activities" in detail and "★" in detail
    cockpit = client.get(reverse("cockpit:index")).content.decode()
    assert 'id="h-party"' in cockpit


def test_api_organisations_and_coverage(api_client, district, officer):
    api_client.force_authenticate(officer)
    orgs = api_client.get("/api/party/organisations/").json()
    assert orgs["count"] == Organisation.objects.count()
    cov = api_client.get("/api/party/coverage/").json()
    assert cov["count"] == OfficeBuilding.objects.count()
    assert {r["kind"] for r in cov["results"]} <= {"own", "joint", "none"}
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/party/coverage/" in schema["paths"]
    assert "/api/party/organisations/" in schema["paths"]


def test_map_layer_places_the_towers_by_kind(client, district, officer):
    client.force_login(officer)
    data = client.get(reverse("api:map-layer", args=["party_coverage"])).json()
    assert data["features"]
    assert {f["properties"]["kind"] for f in data["features"]} <= {"own", "joint", "none"}
    assert all("/" in f["properties"]["detail"] for f in data["features"])  # covered/tenants


def test_map_layer_counts_no_tenants_for_too_many_towers(client, district, officer, monkeypatch):
    from streetbrain.party import maplayers

    monkeypatch.setattr(maplayers, "MAX_COUNTED", 0)
    client.force_login(officer)
    data = client.get(reverse("api:map-layer", args=["party_coverage"])).json()
    assert data["features"] and all(f["properties"]["detail"] == "" for f in data["features"])


def test_a_grid_worker_sees_nothing_of_it(client, api_client, district):
    worker = User.objects.get(username="gridworker")
    api_client.force_authenticate(worker)
    assert api_client.get("/api/party/organisations/").status_code == 403
    client.force_login(worker)
    assert client.get(reverse("party:index")).status_code == 403
