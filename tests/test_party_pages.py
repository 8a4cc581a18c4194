"""The party-building office's edit pages: organisations, members (ID number validated and
protected), alliances, and the two steps on an organisation (record an activity with its
attendance, rate the year), scoped and audited. Small fixtures: no demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from streetbrain.core.models import ChangeLogEntry
from streetbrain.demo.synth.people import make_id_number
from streetbrain.party.models import Activity, Alliance, Organisation, PartyMember, StarRating

ID_A = make_id_number("330212", dt.date(1975, 3, 4), "F", 21)
ID_B = make_id_number("330212", dt.date(1985, 5, 6), "M", 33)


@pytest.fixture
def orgs(tree):
    east = Organisation.objects.create(
        org_unit=tree["east"], name="东城社区党委", level="committee", form="own",
        attached_to="community", place="东城社区",
    )  # fmt: skip
    river = Organisation.objects.create(
        org_unit=tree["river"], name="江城社区党委", level="committee", form="own",
        attached_to="community", place="江城社区",
    )  # fmt: skip
    return {"east": east, "river": river}


@pytest.fixture
def members(orgs, tree):
    out = []
    for name, number, org in (("陈红", ID_A, "east"), ("林军", ID_B, "river")):
        m = PartyMember(org_unit=orgs[org].org_unit, organisation=orgs[org], name=name)
        m.set_id_number(number)
        m.save()
        out.append(m)
    return out


@pytest.fixture
def office(make_user, tree):
    return make_user("dangjian", role="party", unit=tree["street"])


def test_the_office_adds_and_edits_an_organisation(client, orgs, office, tree):
    client.force_login(office)
    url = reverse("party:organisation_add")
    assert client.get(url).status_code == 200
    data = {"name": "江城工业园党支部", "level": "branch", "form": "joint", "attached_to": "tower",
            "org_unit": tree["river"].pk, "parent": orgs["river"].pk}  # fmt: skip
    refused = client.post(url, data)  # a tower's organisation needs its tower
    assert refused.status_code == 400 and not Organisation.objects.filter(name=data["name"])
    done = client.post(url, {**data, "attached_to": "park", "place": "江城工业园"})
    assert done.status_code == 302
    org = Organisation.objects.get(name="江城工业园党支部")
    assert org.parent == orgs["river"]
    edit = client.post(
        reverse("party:organisation_edit", args=[org.pk]),
        {**data, "attached_to": "park", "place": "江城工业园", "secretary": "周书记",
         "_change_reason": "换届"},
    )  # fmt: skip
    assert edit.status_code == 302
    org.refresh_from_db()
    assert org.secretary == "周书记"
    assert ChangeLogEntry.objects.filter(object_repr=str(org), action="update").last().reason == (
        "换届"
    )


def test_a_member_is_added_with_a_valid_id_number_stored_protected(client, orgs, office, tree):
    client.force_login(office)
    url = reverse("party:partymember_add")
    data = {"name": "王芳", "organisation": orgs["east"].pk, "org_unit": tree["east"].pk}
    wrong = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")
    assert client.post(url, {**data, "id_number_input": wrong}).status_code == 400
    assert client.post(url, data).status_code == 400  # required for a new member
    assert not PartyMember.objects.exists()
    assert client.post(url, {**data, "id_number_input": ID_A}).status_code == 302
    m = PartyMember.objects.get()
    assert m.id_number_masked.startswith(ID_A[:6]) and ID_A not in m.id_number_cipher
    entry = ChangeLogEntry.objects.filter(object_repr="王芳", action="create").get()
    assert ID_A not in str(entry.postchange)
    # Editing without a number keeps it.
    digest = m.id_number_digest
    edit = client.post(reverse("party:partymember_edit", args=[m.pk]), {**data, "transient": "on"})
    assert edit.status_code == 302
    m.refresh_from_db()
    assert m.transient and m.id_number_digest == digest


def test_an_alliance_is_added_with_its_organisations(client, orgs, office, tree):
    client.force_login(office)
    done = client.post(
        reverse("party:alliance_add"),
        {"name": "金融保险新业态党建联盟", "organisations": [orgs["east"].pk, orgs["river"].pk],
         "org_unit": tree["street"].pk},
    )  # fmt: skip
    assert done.status_code == 302
    assert set(Alliance.objects.get().organisations.all()) == set(orgs.values())


def test_an_activity_is_recorded_with_its_attendance(client, orgs, members, office):
    client.force_login(office)
    url = reverse("party:organisation_activity", args=[orgs["east"].pk])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "陈红" in form and "林军" not in form  # only the organisation's members
    today = timezone.localdate()
    future = (today + dt.timedelta(days=3)).isoformat()
    client.cookies["django_language"] = "zh-hans"
    refused = client.post(
        url, {"kind": "theme_day", "title": "主题党日", "date": future,
              "attendees": [members[0].pk]},
    )  # fmt: skip
    assert refused.status_code == 400 and "晚于今天" in refused.content.decode()
    other = client.post(
        url, {"kind": "theme_day", "title": "主题党日", "date": today.isoformat(),
              "attendees": [members[1].pk]},
    )  # fmt: skip
    assert other.status_code == 400 and not Activity.objects.exists()
    done = client.post(
        url, {"kind": "theme_day", "title": "主题党日", "date": today.isoformat(),
              "attendees": [members[0].pk]},
    )  # fmt: skip
    assert done.status_code == 302
    activity = Activity.objects.get()
    assert list(activity.attendees.all()) == [members[0]]


def test_steps_are_scoped_and_need_the_role(client, orgs, members, make_user, tree):
    east_office = make_user("dangjian_east", role="party", unit=tree["east"])
    client.force_login(east_office)
    today = timezone.localdate().isoformat()
    url = reverse("party:organisation_activity", args=[orgs["river"].pk])
    assert client.post(url, {"kind": "meetings", "title": "x", "date": today}).status_code == 404
    leader = make_user("leader", role="leader", unit=tree["street"])
    client.force_login(leader)
    assert (
        client.post(
            reverse("party:organisation_rate", args=[orgs["east"].pk]), {"year": 2025}
        ).status_code
        == 403
    )
    assert not Activity.objects.exists() and not StarRating.objects.exists()


def test_the_year_is_rated_on_its_page(client, orgs, members, office):
    client.force_login(office)
    url = reverse("party:organisation_rate", args=[orgs["east"].pk])
    year = timezone.localdate().year
    assert client.post(url, {"year": year + 1}).status_code == 400
    assert client.post(url, {"year": year - 1}).status_code == 302
    rating = StarRating.objects.get(organisation=orgs["east"], year=year - 1)
    assert 1 <= rating.stars <= 5 and rating.rated_by == office
