"""The lease list (/economy/leases/): scoped like the other economy lists, where each lease
stands today (in force, ending within 6 months with no renewal signed, ended) with the horizon
checked around month ends, renewals both ways, sorting, the export through the lease ledger's
layout (it imports again unchanged), the building page's link, and roles without the economy."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from streetbrain.core import dataio
from streetbrain.economy import actions
from streetbrain.economy.dataio_specs import SPECS
from streetbrain.economy.models import Lease, Unit, expiry_horizon
from tests.test_economy_models import build_economy, credit_code

pytestmark = pytest.mark.django_db

d = dt.date
TODAY = d(2026, 3, 31)


def on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


@pytest.fixture
def world(tree, make_user, monkeypatch):
    """On 2026-03-31, in 东城大厦: SEP30 ends on the horizon's last day (2026-09-30), OCT01 the
    day after it, OLD was renewed by NEW, PAST ended last year; in 江城中心 RIVER ends in May."""
    on(monkeypatch, TODAY)
    w = build_economy(tree)
    ent, units = w["enterprises"], w["units"]
    w["users"] = {
        "street": make_user("fm-bld", role="building", unit=tree["street"]),
        "east": make_user("dc-bld", role="building", unit=tree["east"]),
        "leader": make_user("boss", role="leader", unit=tree["street"]),
        "acceptor": make_user("slz", role="acceptor", unit=tree["street"]),
    }

    def sign(key, enterprise, unit, start, end, **kw):
        w[key] = actions.sign_lease(
            ent[enterprise], [units[unit]], start_date=start, end_date=end,
            contract_number=key, **kw,
        )  # fmt: skip
        return w[key]

    sign("PAST", "consult", "e201", d(2023, 1, 1), d(2024, 12, 31))
    actions.end_lease(w["PAST"], on=d(2024, 12, 31), today=TODAY)
    sign("SEP30", "soft", "e101", d(2024, 1, 1), d(2026, 9, 30), contract_rent=Decimal("4.50"))
    sign("OCT01", "consult", "e201", d(2025, 1, 1), d(2026, 10, 1), rent_free_months=2)
    sign("OLD", "soft", "e102", d(2023, 7, 1), d(2026, 6, 30))
    w["NEW"] = actions.renew_lease(
        w["OLD"], end_date=d(2029, 6, 30), contract_number="NEW", signed_on=d(2026, 3, 1)
    )
    sign("RIVER", "trade", "r101", d(2024, 6, 1), d(2026, 5, 31))
    return w


def rows(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("economy:lease_list"), params)
    assert response.status_code == 200, response.content[:500]
    return response


def numbers(response) -> list[str]:
    return [obj.contract_number for obj, _cells in response.context["rows"]]


def statuses(response) -> dict[str, str]:
    return {obj.contract_number: obj.term_status for obj, _cells in response.context["rows"]}


def test_the_list_shows_each_lease_with_its_status_and_renewals(client, world):
    response = rows(client, world["users"]["street"])
    assert statuses(response) == {
        "PAST": "ended",
        "RIVER": "ending",
        "OLD": "in_force",  # renewed: it holds its space until NEW starts
        "SEP30": "ending",
        "OCT01": "in_force",
        "NEW": "in_force",
    }
    # What to act on first: ending without renewal, then in force, each by end; ended last.
    assert numbers(response) == ["RIVER", "SEP30", "OLD", "OCT01", "NEW", "PAST"]
    body = response.content.decode()
    soft, east = world["enterprises"]["soft"], world["east_tower"]
    assert f'<a href="{soft.get_absolute_url()}">甲软件</a>' in body
    assert f'<a href="{east.get_absolute_url()}">东城大厦</a>' in body
    assert f'<a href="{east.get_absolute_url()}#unit-{world["units"]["e101"].pk}">101</a>' in body
    cells = {
        obj.contract_number: {col.accessor: value for col, value in row}
        for obj, row in response.context["rows"]
    }
    assert cells["OLD"]["renewal"] == "NEW" and cells["OLD"]["renewed_from"] is None
    assert cells["NEW"]["renewed_from"] == "OLD" and cells["NEW"]["renewal"] is None
    assert cells["SEP30"]["contract_rent"] == Decimal("4.50")
    assert cells["OCT01"]["rent_free_months"] == Decimal("2.0")
    # Sortable by any column with a sort key, the status among them.
    assert numbers(rows(client, world["users"]["street"], sort="-end_date"))[0] == "NEW"
    by_status = numbers(rows(client, world["users"]["street"], sort="term_status"))
    assert by_status[0] == "PAST" and set(by_status[1:3]) == {"RIVER", "SEP30"}


@pytest.mark.parametrize(
    "day", [TODAY, d(2024, 12, 31), d(2026, 6, 30), d(2026, 7, 1), d(2030, 1, 1)]
)
def test_the_list_read_by_parts_is_the_one_order_at_every_slice(world, day):
    """The list's pages read its three parts (ending, in force, ended) one after the other;
    every slice of them, across each part's end, is the same rows as the one ORDER BY."""
    from streetbrain.core.generic import Parts

    leases = Lease.objects.all()
    whole = [lease.contract_number for lease in leases.by_term(day)]
    assert sorted(whole) == sorted(leases.values_list("contract_number", flat=True))
    parts = Parts(leases.by_term_parts(day))
    for start in range(len(whole) + 1):
        for stop in range(start, len(whole) + 2):
            assert [lease.contract_number for lease in parts[start:stop]] == whole[start:stop]


def test_the_list_is_scoped_like_the_other_economy_lists(client, world):
    east = rows(client, world["users"]["east"])
    assert "RIVER" not in numbers(east) and "SEP30" in numbers(east)
    assert set(numbers(east)) == set(
        Lease.objects.restrict(world["users"]["east"], "view").values_list(
            "contract_number", flat=True
        )
    )
    # The building filter offers only the towers in scope.
    choices = east.context["filterset"].form.fields["building"].queryset
    assert list(choices) == [world["east_tower"]]
    assert "RIVER" in numbers(rows(client, world["users"]["leader"]))


def test_ending_within_six_months_around_month_ends(client, world, monkeypatch):
    assert expiry_horizon(d(2026, 3, 31)) == d(2026, 9, 30)
    assert expiry_horizon(d(2026, 8, 31)) == d(2027, 2, 28)
    assert expiry_horizon(d(2027, 8, 31)) == d(2028, 2, 29)
    assert expiry_horizon(d(2026, 12, 1)) == d(2027, 6, 30)
    user = world["users"]["street"]
    assert set(numbers(rows(client, user, status="ending"))) == {"SEP30", "RIVER"}
    on(monkeypatch, d(2026, 4, 1))  # the horizon moves to 2026-10-31
    assert set(numbers(rows(client, user, status="ending"))) == {"SEP30", "OCT01", "RIVER"}
    on(monkeypatch, d(2026, 5, 31))  # its last day still counts as ending
    assert set(numbers(rows(client, user, status="ending"))) == {"SEP30", "OCT01", "RIVER"}
    on(monkeypatch, d(2026, 6, 1))  # past its end without an end recorded: ended
    response = rows(client, user, status="ended")
    assert set(numbers(response)) == {"PAST", "RIVER"}
    on(monkeypatch, d(2026, 7, 1))  # OLD's renewal has started
    assert set(numbers(rows(client, user, status="ended"))) == {"PAST", "RIVER", "OLD"}
    assert numbers(rows(client, user, status="in_force")) == ["NEW"]


def test_filters_combine(client, world):
    user = world["users"]["street"]
    form = rows(client, user).content.decode().split('<form class="filters"')[1].split("</form>")[0]
    assert 'type="date" name="ends_after"' in form and 'type="hidden" name="enterprise"' in form
    east = world["east_tower"].pk
    assert numbers(rows(client, user, building=east, status="ending")) == ["SEP30"]
    assert set(numbers(rows(client, user, q="甲软件"))) == {"SEP30", "OLD", "NEW"}
    soft = world["enterprises"]["soft"].pk
    assert set(numbers(rows(client, user, enterprise=soft))) == {"SEP30", "OLD", "NEW"}
    dated = rows(client, user, ends_after="2026-06-30", ends_before="2026-10-01")
    assert set(numbers(dated)) == {"OLD", "SEP30", "OCT01"}
    # A bad value is an empty list with the form's error (a 400), not a crash.
    bad = client.get(reverse("economy:lease_list"), {"status": "soon"})
    assert bad.status_code == 400
    assert numbers(bad) == [] and bad.context["filterset"].errors


def test_export_follows_the_filters_and_imports_again(client, world):
    user = world["users"]["street"]
    client.force_login(user)
    url = reverse("economy:lease_export")
    response = client.get(url, {"building": world["east_tower"].pk, "status": "ending"})
    assert response.status_code == 200 and response.streaming  # streamed at any size
    data = b"".join(response.streaming_content)
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == SPECS["leases"].export_headers
    assert [r[0] for r in table[1:]] == ["SEP30"]
    again = dataio.run_import(SPECS["leases"], data, user, dry_run=True)
    assert not again.errors and (again.created, again.updated, again.unchanged) == (0, 0, 1)
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")
    # The list links its export with its filters.
    body = rows(client, user, status="ending").content.decode()
    assert f"{url}?status=ending" in body


def test_the_building_page_links_its_leases_ending_soon(client, world):
    east = world["east_tower"]
    client.force_login(world["users"]["east"])
    response = client.get(east.get_absolute_url())
    body = response.content.decode()
    lease_list = reverse("economy:lease_list")
    assert f'href="{lease_list}?building={east.pk}&amp;status=ending"' in body
    # SEP30 only: OLD is renewed, RIVER is in another building.
    assert response.context["leases"]["ending"] == 1 and 'id="leases-ending"' in body
    # The sub-navigation links the list; an enterprise's profile links its leases there.
    assert f'href="{lease_list}"' in body
    soft = world["enterprises"]["soft"]
    profile = client.get(soft.get_absolute_url()).content.decode()
    assert f'href="{lease_list}?enterprise={soft.pk}"' in profile


@pytest.mark.parametrize("name", ["economy:lease_list", "economy:lease_export"])
def test_roles_without_leases_are_refused(client, world, name):
    client.force_login(world["users"]["acceptor"])
    assert client.get(reverse(name)).status_code == 403
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_reads_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    floor = world["floors"]["e2"]
    industry = world["enterprises"]["soft"].industry
    for i in range(30):
        unit = Unit.objects.create(floor=floor, code=f"2{i:02d}A", area_m2=Decimal("50"))
        enterprise = world["enterprises"]["soft"].__class__.objects.create(
            credit_code=credit_code(200 + i), name=f"企业{i}", industry=industry,
            org_unit=world["east_grid"],
        )  # fmt: skip
        actions.sign_lease(enterprise, [unit], start_date=d(2025, 1, 1), end_date=d(2027, 1, 31))
    client.force_login(world["users"]["street"])
    # 15, and the list read in its three parts (ending, in force, ended) where one would do.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("economy:lease_list"))
    assert response.status_code == 200 and len(response.context["rows"]) == 36
