"""What a careless or hostile client sends is refused with its reason, never a server error
(issue 12, items 5 and 9): filter values no query can take (an age of 5,000 years, the year 1),
ids that are not numbers, bodies beyond ``DATA_UPLOAD_MAX_MEMORY_SIZE``. Each answers in the
caller's own terms: a list page shows the filter form with the error (400), an export says why
(400), the API answers in its JSON shape. Open311's own format is tested in test_open311.py."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from streetbrain.core.filtersets import out_of_range
from streetbrain.registry.filtersets import years_before

from . import scopecheck
from .test_registry import registry  # noqa: F401

pytestmark = pytest.mark.django_db

BAD_AGES = [{"age_min": "5000"}, {"age_max": "-10000"}, {"age_min": "1e20"}]


@pytest.fixture
def leader(registry, tree, make_user):  # noqa: F811
    return make_user("leader", role="leader", unit=tree["street"])


@pytest.fixture
def superuser(tree, make_user):
    return make_user("root", superuser=True)


def param_of(params: dict) -> str:
    return next(iter(params))


# -- filters: numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("params", BAD_AGES)
def test_the_resident_list_shows_an_impossible_age_as_the_forms_error(client, leader, params):
    client.force_login(leader)
    response = client.get(reverse("registry:resident_list"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="filters"' in html  # the form is there to correct the value
    assert "Ensure this value is" in html
    assert "王秀英" not in html and "李建国" not in html  # no rows for a refused filter


@pytest.mark.parametrize("params", BAD_AGES)
def test_the_resident_api_refuses_an_impossible_age(api_client, leader, params):
    api_client.force_authenticate(leader)
    response = api_client.get("/api/registry/residents/", params)
    assert response.status_code == 400
    assert list(response.json()) == [param_of(params)]


@pytest.mark.parametrize("params", BAD_AGES)
def test_the_resident_export_refuses_an_impossible_age_and_says_why(client, leader, params):
    client.force_login(leader)
    response = client.get(reverse("registry:resident_export"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"({param_of(params)}): Ensure this value is" in text


def test_ages_in_range_still_filter(api_client, leader, registry):  # noqa: F811
    api_client.force_authenticate(leader)
    # 王秀英 was born on 1949-12-31, 李建国 on 1991-01-01.
    old = api_client.get("/api/registry/residents/", {"age_min": "60"}).json()
    young = api_client.get("/api/registry/residents/", {"age_max": "50"}).json()
    assert [r["name"] for r in old["results"]] == ["王秀英"]
    assert [r["name"] for r in young["results"]] == ["李建国"]


def test_years_before_keeps_the_day_even_from_29_february():
    assert years_before(dt.date(2026, 3, 1), 30) == dt.date(1996, 3, 1)
    assert years_before(dt.date(2028, 2, 29), 4) == dt.date(2024, 2, 29)
    assert years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)


def test_out_of_range_names_numbers_and_dates_beyond_the_bounds():
    from decimal import Decimal

    assert out_of_range(Decimal("1e20")) and out_of_range(float("nan"))
    assert out_of_range(dt.date(1, 1, 1)) and out_of_range(dt.date(9999, 12, 31))
    assert out_of_range(slice(dt.date(2026, 1, 1), dt.date(9999, 12, 31)))
    assert out_of_range([3, 10**16])
    assert not out_of_range(Decimal("150")) and not out_of_range(True)
    aware = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert not out_of_range(slice(None, aware)) and not out_of_range("any text")


# -- filters: dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/core/changelog/", {"time_after": "0001-01-01T00:00:00+08:00"}),
        ("/core/changelog/", {"time_before": "9999-12-31T23:59:59-08:00"}),
        ("/api/core/changelog/", {"time_after": "0001-01-01T00:00:00+08:00"}),
        ("/api/core/changelog/", {"time_before": "9999-12-31T23:59:59-08:00"}),
        ("/cases/", {"reported_at_after": "0001-01-01"}),
        ("/api/cases/cases/", {"reported_at_after": "0001-01-01"}),
        ("/economy/leases/", {"ends_after": "0001-01-01"}),
        ("/api/economy/leases/", {"held_on": "9999-12-31"}),
    ],
)
def test_dates_no_query_can_take_are_refused(client, superuser, path, params):
    client.force_login(superuser)
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Give a date from 1900-01-01 to 2199-12-31." in response.content.decode()


def test_a_filter_refusing_its_value_when_applied_is_a_400_on_the_page(client, superuser):
    # ``industry`` checks its GB/T 4754 prefix only when it filters (a ValidationError then).
    client.force_login(superuser)
    response = client.get("/economy/enterprises/", {"industry": "ZZ"})
    assert response.status_code == 400
    assert "(industry)" not in response.content.decode()  # on the form, with its label
    export = client.get("/economy/enterprises/export/", {"industry": "ZZ"})
    assert export.status_code == 400
    assert "（industry）：行业应为 GB/T 4754-2017" in export.content.decode()  # in Chinese


def test_htmx_gets_the_filter_error_inside_the_table_it_swaps(client, leader):
    # HTMX swaps only 2xx answers: the error comes as a 200 fragment, in the swapped part.
    client.force_login(leader)
    response = client.get(
        reverse("registry:resident_list"),
        {"age_min": "5000"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    table = response.content.decode().split('id="object-table"', 1)[1]
    assert "Ensure this value is less than or equal to 150." in table


def test_the_case_export_refuses_a_bad_filter_and_says_why(client, superuser):
    client.force_login(superuser)
    response = client.get(
        reverse("cases:case_export"), {"reported_at_after": "0001-01-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "(reported_at): Give a date from 1900-01-01" in response.content.decode()


# -- ids in the URL --------------------------------------------------------------------------


ID_NAMES = re.compile(r"^(pk|.*_id|id)$")


def test_every_route_taking_an_id_takes_only_digits():
    # Django's admin takes any text and answers an id that is none itself (a redirect home).
    loose = []
    for route in scopecheck.routes():
        if route.name.startswith("admin:"):
            continue
        for name in route.kwargs:
            if not ID_NAMES.match(name):
                continue
            digits = f"<int:{name}>" in route.pattern or re.search(
                rf"\(\?P<{name}>(\[0-9\]|\\d)(\+|\{{[0-9,]+\}})\)", route.pattern
            )
            if not digits:
                loose.append(f"{route.name}: {route.pattern}")
    assert not loose, "routes taking any text as an id:\n" + "\n".join(loose)


@pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "9" * 30])
def test_a_non_numeric_id_on_the_reveal_api_is_a_json_404(api_client, leader, pk):
    api_client.force_authenticate(leader)
    response = api_client.post(
        f"/api/registry/residents/{pk}/reveal/", {"fields": ["id_number"]}, format="json"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_a_non_numeric_object_id_on_the_change_log_is_not_an_error(client, leader):
    client.force_login(leader)
    response = client.get(
        "/core/changelog/", {"object_type": "registry.resident", "object_id": "abc"}
    )
    assert response.status_code in (400, 403, 404)


def test_a_nul_character_in_the_change_logs_object_type_is_refused(client, leader):
    # PostgreSQL refuses NUL in a query: the object type is looked up among the models, and
    # a kind that does not exist is a filter value the list refuses (400, with its reason).
    client.force_login(leader)
    response = client.get(
        "/core/changelog/", {"object_type": "registry.resi\x00dent", "object_id": "1"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/search/", "/api/search/"])
def test_a_nul_character_in_the_search_box_finds_as_a_space_would(client, leader, path):
    client.force_login(leader)
    response = client.get(path, {"q": "王秀英\x00"})
    assert response.status_code == 200 and "王秀英" in response.content.decode()


# -- bodies beyond DATA_UPLOAD_MAX_MEMORY_SIZE ----------------------------------------------


@pytest.fixture
def small_bodies(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    return "x" * 5000


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (lambda big: json.dumps({"name": big}), "application/json"),
        (lambda big: f"name={big}", "application/x-www-form-urlencoded"),
    ],
)
def test_the_api_answers_an_oversized_body_with_413_in_its_json(
    api_client, superuser, small_bodies, body, content_type
):
    api_client.force_authenticate(superuser)
    response = api_client.post(
        "/api/registry/buildings/",
        body(small_bodies),
        content_type=content_type,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"]


def test_an_oversized_token_request_is_a_json_413_too(small_bodies, tree):
    response = Client().post(
        "/api/auth/token/",
        f"username={small_bodies}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response.json()["detail"]


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "太大"), ("en", "too large")])
def test_a_page_answers_an_oversized_form_with_a_page_in_the_users_language(
    client, superuser, small_bodies, language, words
):
    client.force_login(superuser)
    client.cookies["django_language"] = language
    response = client.post(
        "/registry/buildings/add/",
        f"name={small_bodies}",
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert words in html and "<main" in html  # the site's page, not Django's bare one
