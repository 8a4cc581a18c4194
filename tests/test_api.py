"""The REST API: token auth, pagination, the OpenAPI schema and the offline docs, health."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_auth_round_trip(client, tree, make_user):
    make_user("apiuser", role="leader", unit=tree["street"])
    response = client.post("/api/auth/token/", {"username": "apiuser", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    again = client.post("/api/auth/token/", {"username": "apiuser", "password": PASSWORD})
    assert again.json()["token"] != token  # every call makes a new one (only digests are kept)
    me = client.get("/api/core/users/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "apiuser"
    assert me.json()["org_unit"]["code"] == "330212014"
    assert me.json()["roles"] == ["leader"]


def test_token_refused_in_chinese(client, tree, make_user):
    make_user("apiuser", role="leader", unit=tree["street"])
    response = client.post("/api/auth/token/", {"username": "apiuser", "password": "nope"})
    assert response.status_code in (401, 403)
    assert "用户名或密码" in response.json()["detail"]


def test_token_requires_fields(client):
    response = client.post("/api/auth/token/", {})
    assert response.status_code == 400
    assert "该字段是必填项" in str(response.json())


def test_lists_are_paginated(api_client, tree, make_user):
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    body = api_client.get("/api/core/org-units/", {"page_size": 2}).json()
    assert set(body) == {"count", "count_estimated", "next", "previous", "results"}
    # city, district (context) + street, 2 communities, 4 grids
    assert body["count"] == 9 and body["count_estimated"] is False
    assert len(body["results"]) == 2 and body["next"]


def _walk(api_client, url, params):
    """Every row of a cursor-paged list, following ``next`` to the end."""
    seen, body = [], api_client.get(url, params).json()
    while True:
        assert "count" not in body  # a cursor page carries no count
        seen += [row["code"] for row in body["results"]]
        if not body["next"]:
            return seen
        body = api_client.get(body["next"]).json()


def test_cursor_pages_walk_a_list_to_its_end_in_id_order(api_client, tree, make_user):
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    numbered = api_client.get("/api/core/org-units/", {"page_size": 100}).json()
    by_id = [row["code"] for row in sorted(numbered["results"], key=lambda row: row["id"])]
    newest_first = _walk(api_client, "/api/core/org-units/", {"cursor": "", "page_size": 2})
    assert newest_first == by_id[::-1]  # every row once, none twice, across 5 pages
    oldest_first = _walk(
        api_client, "/api/core/org-units/", {"cursor": "", "page_size": 4, "ordering": "id"}
    )
    assert oldest_first == by_id
    # Filters hold across the pages: only the grids of 江城社区.
    grids = _walk(
        api_client,
        "/api/core/org-units/",
        {"cursor": "", "page_size": 1, "level": "grid", "within": "330212014002"},
    )
    assert sorted(grids) == ["33021201400201", "33021201400202"]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"cursor": "", "ordering": "name"}, "ordering", "ordering=id"),
        ({"cursor": "", "page": "2"}, "cursor", "不"),
    ],
)
def test_cursor_pages_refuse_what_they_cannot_keep(
    api_client, tree, make_user, params, field, words
):
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    response = api_client.get("/api/core/org-units/", params)
    assert response.status_code == 400
    assert field in response.json() and words in str(response.json())


def test_a_list_computed_in_python_is_paged_by_number_only():
    from rest_framework.exceptions import ValidationError
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from streetbrain.core.api.pagination import StandardPagination

    rows = list(range(120))
    by_number = Request(APIRequestFactory().get("/x/", {"page": "3"}))
    assert StandardPagination().paginate_queryset(rows, by_number) == rows[100:]
    by_cursor = Request(APIRequestFactory().get("/x/", {"cursor": ""}))
    with pytest.raises(ValidationError) as refused:
        StandardPagination().paginate_queryset(rows, by_cursor)
    assert "cursor" in refused.value.detail


def test_schema_offers_the_cursor_and_a_count_only_for_numbered_pages(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/core/org-units/"]["get"]
    assert "cursor" in {parameter["name"] for parameter in operation["parameters"]}
    page = schema["components"]["schemas"]["PaginatedOrgUnitList"]
    assert "count" not in page["required"] and "results" in page["required"]


def test_filters_and_search(api_client, tree, make_user):
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    grids = api_client.get("/api/core/org-units/", {"level": "grid", "within": "330212014002"})
    assert [g["code"] for g in grids.json()["results"]] == ["33021201400201", "33021201400202"]
    found = api_client.get("/api/core/org-units/", {"q": "江城"}).json()
    assert {r["name"] for r in found["results"]} == {
        "江城社区",
        "江城社区第1网格",
        "江城社区第2网格",
    }
    with_geometry = api_client.get("/api/core/communities/", {"geometry": "1"}).json()
    assert with_geometry["results"][0]["geometry"]["type"] == "Polygon"


def test_validation_errors_in_chinese(api_client, tree, make_user):
    api_client.force_authenticate(make_user("a", superuser=True, unit=tree["street"]))
    response = api_client.post(
        "/api/core/org-units/",
        {"code": "123", "name": "坏网格", "level": "grid", "parent": tree["east"].pk},
        format="json",
    )
    assert response.status_code == 400
    body = str(response.json())
    assert "4" in body and "14" in body  # the code must have 4–14 digits


def test_grid_code_rule_enforced(api_client, tree, make_user):
    api_client.force_authenticate(make_user("a", superuser=True, unit=tree["street"]))
    response = api_client.post(
        "/api/core/org-units/",
        {
            "code": "33021201400299",
            "name": "错社区网格",
            "level": "grid",
            "parent": tree["east"].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_schema_is_valid_and_warning_free(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/core/grids/",
        "/api/core/communities/",
        "/api/auth/token/",
        "/api/core/org-units/locate/",
        "/api/core/changelog/",
        "/api/core/tokens/",
    ):
        assert path in text


def test_schema_documents_the_errors_of_each_operation():
    """Clients (and the fuzzing) learn the error answers from the schema, not by trial."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    patch = paths["/api/registry/residents/{id}/"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "413", "429"} <= set(patch)
    assert patch["404"]["content"]["application/json"]["schema"]["required"] == ["detail"]
    assert "Retry-After" in patch["429"]["headers"]
    listing = paths["/api/registry/residents/"]["get"]["responses"]
    assert "400" in listing and "404" in listing and "413" not in listing  # 404: page past last
    token = paths["/api/auth/token/"]["post"]["responses"]  # open to anyone, a bad token: 401
    assert {"400", "401", "403", "429"} <= set(token)
    locate = paths["/api/core/org-units/locate/"]["get"]["responses"]  # its own parameters
    assert "400" in locate
    delete = paths["/api/registry/residents/{id}/"]["delete"]["responses"]
    assert "204" in delete and "413" not in delete


def test_read_only_fields_say_they_may_be_blank_or_null():
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    light = schemas["CaseDetail"]["properties"]["pending_request"]  # blank choices: "" too
    assert {"$ref": "#/components/schemas/BlankEnum"} in light["oneOf"]
    assert {"type": "string", "maxLength": 0} in schemas["Report"]["properties"]["media_url"][
        "oneOf"
    ]
    assert schemas["User"]["properties"]["department"]["nullable"] is True  # a null FK


@pytest.mark.parametrize(
    "path", ["/api/core/users/1.5/", "/api/no-such-thing/", "/api/registry/residents/x.y/"]
)
def test_an_api_url_no_route_matches_answers_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_a_page_url_no_route_matches_answers_the_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_schema_and_docs_served_offline(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["migrations_applied"] is True
    assert body["database"] in ("sqlite", "postgresql")
    import streetbrain

    assert body["version"] == streetbrain.__version__


def test_api_root_lists_the_endpoints(client):
    body = client.get("/api/").json()
    assert body["schema"].endswith("/api/schema/")
    assert body["core"]["grid"].endswith("/api/core/grids/")
    assert body["registry"].endswith("/api/registry/")
    assert body["cases"].endswith("/api/cases/")
    assert body["open311"].endswith("/open311/v2/")


def test_a_narrow_scope_walks_its_cursor_pages_unit_by_unit(
    api_client, tree, make_user, django_assert_max_num_queries
):
    """A street leader's cursor pages over cases in several grids, among another street's
    cases with ids on both sides: on PostgreSQL read one unit at a time (``ByUnit``), on SQLite
    as one list; either way every visible case once, in id order, both ways, with filters."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from streetbrain.cases.models import Case
    from streetbrain.core.models import OrgUnit

    other_grid = OrgUnit.objects.create(
        code="33021200100101", name="百丈第1网格", level="grid", parent=tree["other_street"]
    )
    now = timezone.now()
    units = [other_grid, *tree["grids"].values(), tree["street"], other_grid]
    for n in range(23):
        Case.objects.create(
            number=f"C{n:03d}",
            title="井盖缺失" if n % 3 else "占道经营",
            org_unit=units[n % len(units)],
            reported_at=now,
        )
    api_client.force_authenticate(make_user("l", role="leader", unit=tree["street"]))
    mine = list(
        Case.objects.filter(org_unit__path__startswith=tree["street"].path)
        .order_by("pk")
        .values_list("number", flat=True)
    )
    assert 10 < len(mine) < 23

    def walk(params, link="next"):
        seen, body = [], api_client.get("/api/cases/cases/", params).json()
        while True:
            seen += [row["number"] for row in body["results"]]
            if not body[link]:
                return seen, body
            body = api_client.get(body[link]).json()

    from streetbrain.core.api.pagination import by_unit_index
    from streetbrain.registry.models import Household

    # Only along the (org_unit, id) index: without it a unit's newest rows may be read by
    # walking the whole primary key.
    assert by_unit_index(Case) and not by_unit_index(Household)
    with CaptureQueriesContext(connection) as queries:
        newest_first, last = walk({"cursor": "", "page_size": 4})
    assert newest_first == mine[::-1]
    by_unit = connection.features.supports_slicing_ordering_in_compound
    assert any("UNION ALL" in q["sql"] for q in queries.captured_queries) == by_unit
    assert walk({"cursor": "", "page_size": 5, "ordering": "id"})[0] == mine
    # Back from the last page along ``previous``: every page again, each in its own order.
    backwards, body = [row["number"] for row in last["results"]], last
    while body["previous"]:
        body = api_client.get(body["previous"]).json()
        backwards = [row["number"] for row in body["results"]] + backwards
    assert backwards == newest_first
    # A filter holds across the pages.
    titled = [n for n in mine if Case.objects.get(number=n).title == "占道经营"]
    assert walk({"cursor": "", "page_size": 2, "ordering": "id", "q": "占道"})[0] == titled
    # A grid worker: one unit, read along it alone.
    api_client.force_authenticate(make_user("g", role="gridworker", unit=tree["east_grid"]))
    with django_assert_max_num_queries(12):
        one = walk({"cursor": "", "page_size": 50})[0]
    assert one == list(
        Case.objects.filter(org_unit=tree["east_grid"])
        .order_by("-pk")
        .values_list("number", flat=True)
    )
