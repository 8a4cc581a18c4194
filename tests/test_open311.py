"""Open311 GeoReport v2 conformance: every operation in XML and JSON, every filter of GET
requests, every error path, api keys, idempotency, merged duplicates and privacy.

JSON responses are validated against JSON schemas written from the spec
(``tests/data/open311/*.schema.json``); XML responses are parsed and their element names
checked, and their Spark-convention mapping must equal the JSON answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import jsonschema
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from streetbrain.cases.channels.open311 import keys
from streetbrain.cases.intake.actions import submit_report
from streetbrain.cases.intake.pipeline import ReportInput
from streetbrain.cases.models import (
    ApiKey,
    Case,
    CaseEvent,
    Channel,
    Report,
    ServiceAttribute,
    State,
)
from streetbrain.cases.workflow import actions
from streetbrain.core import extension_points as ep
from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.protected import digest
from streetbrain.registry.models import ComponentClass

BASE = "/open311/v2/"
SCHEMAS = Path(__file__).parent / "data" / "open311"
DEMO_KEY = "streetbrain-demo-key"
EAST = (121.61, 29.865)  # inside 东城社区第1网格
RIVER = (121.63, 29.865)  # inside 江城社区第1网格
OUTSIDE = (121.70, 29.90)  # beyond the street
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
NOISE = "楼下饭店晚上唱歌喝酒声音很大，噪声扰民，影响休息"
W3 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


# -- helpers --------------------------------------------------------------------------------


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def valid_json(response, name: str, status: int = 200):
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content.decode("utf-8"))
    jsonschema.Draft202012Validator(schema(name)).validate(data)
    return data


def parsed_xml(response, root: str, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert element.tag == root
    return element


def spark(element: ET.Element):
    """The Spark convention's JSON for an element, with every scalar as its XML text: a
    container of repeated items is an array, an element with children an object, an empty
    one None."""
    children = list(element)
    containers = {"services", "service_requests", "errors", "attributes", "values"}
    containers |= {"endpoints", "formats", "channels", "sensitive_services"}
    if element.tag in containers:
        return [spark(c) for c in children]
    if children:
        return {c.tag: spark(c) for c in children}
    return element.text if element.text else None


def as_text(value):
    """A JSON answer with its scalars written as the XML writes them."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if value is None or value == "":
        return None
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def same_in_both(client, path: str, root: str, name: str, params=None, status: int = 200):
    """GET ``path`` as JSON and XML; both valid, and the XML maps onto the JSON."""
    data = valid_json(client.get(f"{BASE}{path}.json", params or {}), name, status)
    element = parsed_xml(client.get(f"{BASE}{path}.xml", params or {}), root, status)
    assert spark(element) == as_text(data)
    return data, element


def error_codes(response, status: int, fmt: str = "json") -> list[str]:
    """The error list of a response (checked in either format): its descriptions."""
    if fmt == "json":
        data = valid_json(response, "errors", status)
        assert all(item["code"] == status for item in data)
        return [item["description"] for item in data]
    element = parsed_xml(response, "errors", status)
    items = list(element)
    assert items and all(e.tag == "error" for e in items)
    assert all([c.tag for c in e] == ["code", "description"] for e in items)
    assert all(e.findtext("code") == str(status) for e in items)
    return [e.findtext("description") for e in items]


def counts() -> tuple[int, int, int, int]:
    return (
        Report.objects.count(),
        Case.objects.count(),
        CaseEvent.objects.count(),
        ChangeLogEntry.objects.count(),
    )


@pytest.fixture
def o311(case_world):
    """The case world plus the demo's api key and a service with every kind of question."""
    api_key, plain = keys.create_api_key("市民通 App", key=DEMO_KEY)
    noise = ComponentClass.objects.get(kind="matter", code="06028")
    rows = [
        ("source", "singlevaluelist", True, 1, "噪声来源", ["construction", "business", "party"]),
        ("times", "multivaluelist", False, 2, "什么时候", ["morning", "evening", "night"]),
        ("since", "datetime", False, 3, "从什么时候开始", []),
        ("decibels", "number", False, 4, "测得的分贝", []),
        ("detail", "text", False, 5, "补充说明", []),
        ("floor", "string", False, 6, "楼层", []),
    ]
    for code, datatype, required, order, question, values in rows:
        ServiceAttribute.objects.create(
            component_class=noise,
            code=code,
            datatype=datatype,
            required=required,
            order=order,
            description=question,
            values=[{"key": v, "name": v.title()} for v in values],
        )
    ServiceAttribute.objects.create(
        component_class=noise,
        code="hint",
        datatype="text",
        variable=False,
        order=7,
        description="夜间施工请同时拨打 12345",
    )
    return {**case_world, "api_key": api_key, "key": plain, "client": Client()}


def post(client, fmt: str = "json", *, headers=None, **fields):
    """POST requests.{fmt} form-encoded; fields default to a garbage report at EAST."""
    data = {
        "api_key": DEMO_KEY,
        "service_code": "06010",
        "lat": str(EAST[1]),
        "long": str(EAST[0]),
        "description": GARBAGE,
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(
        f"{BASE}requests.{fmt}",
        urlencode(data, doseq=True),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        headers=headers or {},
    )


def created_id(response) -> int:
    data = valid_json(response, "post_response")
    assert len(data) == 1 and "token" not in data[0]
    return int(data[0]["service_request_id"])


def noise_fields(**extra):
    fields = {
        "service_code": "06028",
        "lat": str(RIVER[1]),
        "long": str(RIVER[0]),
        "description": NOISE,
        "attribute[source]": "business",
    }
    fields.update(extra)
    return fields


# -- api keys -------------------------------------------------------------------------------


def test_keys_store_only_a_digest_and_a_prefix(db, settings):
    api_key, plain = keys.create_api_key("巡查系统")
    assert len(plain) >= 40
    row = ApiKey.objects.get(pk=api_key.pk)
    assert row.key_digest == digest(plain) and plain not in row.key_digest
    assert row.key_prefix == plain[:8]
    assert keys.check(plain) == api_key
    assert keys.check(plain + "x") is None and keys.check("") is None and keys.check(None) is None
    # The digest is keyed: the same key under another digest key is another digest.
    settings.STREETBRAIN_DIGEST_KEY = "another-digest-key"
    assert keys.check(plain) is None


def test_a_given_key_is_created_once_and_can_be_deactivated(db):
    first, plain = keys.create_api_key("Demo", key=DEMO_KEY)
    again, plain_again = keys.create_api_key("Demo again", key=DEMO_KEY)
    assert again.pk == first.pk and plain == plain_again == DEMO_KEY
    assert ApiKey.objects.count() == 1 and first.key_prefix == "streetbr"
    ApiKey.objects.filter(pk=first.pk).update(is_active=False)
    assert keys.check(DEMO_KEY) is None


@pytest.mark.parametrize("bad", ["short", "has a space in it!!", "x" * 201])
def test_weak_or_malformed_keys_are_refused(db, bad):
    with pytest.raises(ValidationError):
        keys.create_api_key("Demo", key=bad)
    with pytest.raises(ValidationError):
        keys.create_api_key("  ", key=DEMO_KEY)
    assert not ApiKey.objects.exists()


# -- discovery and services -----------------------------------------------------------------


def test_discovery_in_both_formats(o311):
    client = o311["client"]
    data, element = same_in_both(client, "discovery", "discovery", "discovery")
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert W3.match(data["changeset"]) and endpoint["changeset"] == data["changeset"]
    assert [c.tag for c in element] == [
        "changeset",
        "contact",
        "key_service",
        "endpoints",
        "publication",
    ]
    assert [e.tag for e in element.find("endpoints")] == ["endpoint"]
    assert [f.tag for f in element.find("endpoints/endpoint/formats")] == ["format", "format"]
    # The endpoint's URL works: the client appends the resource to it.
    url = endpoint["url"].removeprefix("http://testserver") + "/services.xml"
    assert client.get(url).status_code == 200
    # The changeset is the last change of a service definition (the fixture's questions).
    last = ChangeLogEntry.objects.filter(content_type__model="serviceattribute").latest("time")
    assert dt.datetime.fromisoformat(data["changeset"]) == last.time.replace(microsecond=0)


def test_root_points_at_discovery(o311):
    response = o311["client"].get(BASE)
    assert response.status_code == 302 and response["Location"].endswith("/discovery.xml")


def test_services_are_the_matter_classes_in_chinese(o311):
    data, element = same_in_both(o311["client"], "services", "services", "services")
    # every matter class but those an app reserves for its own channel (enterprises' 诉求)
    matters = ComponentClass.objects.filter(kind="matter").exclude(ep.reserved_classes_q())
    assert len(data) == matters.count() > 100
    assert [s["service_code"] for s in data] == sorted(matters.values_list("code", flat=True))
    by_code = {s["service_code"]: s for s in data}
    garbage, noise = by_code["06010"], by_code["06028"]
    cls = matters.get(code="06010")
    assert garbage["service_name"] == cls.name == "暴露垃圾"
    assert garbage["group"] == cls.major_name
    assert garbage["metadata"] is False and noise["metadata"] is True
    assert all(s["type"] == "realtime" for s in data)
    assert "暴露垃圾" in garbage["keywords"].split(",")
    assert garbage["description"] == cls.time_limits.get(condition="").filing_condition
    assert {c.tag for c in element} == {"service"}
    assert [c.tag for c in element[0]] == SERVICE_FIELDS
    metadata = {s.findtext("service_code"): s.findtext("metadata") for s in element}
    assert metadata["06028"] == "true" and metadata["06010"] == "false"


def test_service_definition_lists_the_questions_in_order(o311):
    data, element = same_in_both(
        o311["client"], "services/06028", "service_definition", "service_definition"
    )
    assert data["service_code"] == "06028"
    codes = [a["code"] for a in data["attributes"]]
    assert codes == ["source", "times", "since", "decibels", "detail", "floor", "hint"]
    source = data["attributes"][0]
    assert source["datatype"] == "singlevaluelist" and source["required"] is True
    assert source["variable"] is True and source["order"] == 1
    assert [v["key"] for v in source["values"]] == ["construction", "business", "party"]
    assert data["attributes"][-1]["variable"] is False
    assert [c.tag for c in element] == ["service_code", "attributes"]
    attributes = element.find("attributes")
    assert {a.tag for a in attributes} == {"attribute"}
    first = attributes[0]
    assert [c.tag for c in first] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert [v.tag for v in first.find("values")] == ["value"] * 3
    assert [c.tag for c in first.find("values")[0]] == ["key", "name"]


def test_service_without_questions_has_an_empty_definition(o311):
    data, element = same_in_both(
        o311["client"], "services/06010", "service_definition", "service_definition"
    )
    assert data == {"service_code": "06010", "attributes": []}
    assert element.find("attributes") is not None and len(element.find("attributes")) == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_definition_is_404(o311, fmt):
    response = o311["client"].get(f"{BASE}services/99999.{fmt}")
    assert error_codes(response, 404, fmt)
    # A component class (管理部件) is not a service.
    assert ComponentClass.objects.filter(kind="component", code="01001").exists()
    assert not ComponentClass.objects.filter(kind="matter", code="0100X").exists()


# -- POST requests --------------------------------------------------------------------------


def test_post_creates_a_report_through_the_intake(o311):
    client = o311["client"]
    response = post(
        client,
        first_name="小明",
        last_name="王",
        phone="13812345678",
        email="wang@example.com",
        device_id="dev-1",
        account_id="acct-7",
        address_string="宁穿路 1 号附近",
        media_url="https://img.example.com/a.jpg",
    )
    report = Report.objects.get(pk=created_id(response))
    data = json.loads(response.content)[0]
    assert data["account_id"] == "acct-7"
    assert data["service_notice"]  # verification on site, then the time limit
    case = report.case
    assert report.channel == case.channel == "open311"
    assert report.api_key == o311["api_key"]
    assert report.requested_class.code == "06010" and case.component_class.code == "06010"
    assert case.class_source == "reporter" and case.state == State.VERIFYING
    assert case.org_unit == o311["east_grid"]
    assert report.reporter_name == "王小明"
    assert report.phone == "138****5678" and report.phone_digest == digest("13812345678")
    assert (report.email, report.device_id) == ("wang@example.com", "dev-1")
    assert report.address == "宁穿路 1 号附近" and report.media_url.endswith("/a.jpg")
    assert report.description == GARBAGE
    # The change log names the client and the API channel.
    entry = ChangeLogEntry.objects.filter(content_type__model="report", object_id=str(report.pk))
    assert entry.get().source == "api" and entry.get().user_name == "open311:市民通 App"


def test_post_answers_xml_with_the_specs_elements(o311):
    response = post(o311["client"], "xml", account_id="")
    element = parsed_xml(response, "service_requests")
    request = element.find("request")
    assert [c.tag for c in element] == ["request"]
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert Report.objects.filter(pk=int(request.findtext("service_request_id"))).exists()
    assert request.find("account_id").text is None


def test_post_needs_no_csrf_token(o311):
    client = Client(enforce_csrf_checks=True)
    assert created_id(post(client))


def test_a_report_without_description_is_named_after_its_service(o311):
    report = Report.objects.get(pk=created_id(post(o311["client"], description="")))
    assert report.case.title == "暴露垃圾" and report.description == ""


def test_location_by_address_alone_is_accepted(o311):
    response = post(o311["client"], lat="", long="", address_string="福明路 88 号东侧人行道")
    report = Report.objects.get(pk=created_id(response))
    assert report.lon is None and report.address == "福明路 88 号东侧人行道"
    assert not report.case.placed  # waits for a person to place it on the map


def test_answers_to_the_service_questions_are_stored(o311):
    response = post(
        o311["client"],
        **noise_fields(
            **{
                "attribute[times][]": ["evening", "night"],
                "attribute[since]": "2026-03-01T21:00:00+08:00",
                "attribute[decibels]": "72.5",
                "attribute[detail]": "周末更严重\n凌晨还在",
                "attribute[floor]": "3楼",
                "attribute[hint]": "ignored: it only informs",
            }
        ),
    )
    report = Report.objects.get(pk=created_id(response))
    assert report.attributes == {
        "source": "business",
        "times": ["evening", "night"],
        "since": "2026-03-01T21:00:00+08:00",
        "decibels": 72.5,
        "detail": "周末更严重\n凌晨还在",
        "floor": "3楼",
    }
    assert report.case.component_class.code == "06028"


def test_empty_parameters_count_as_absent_on_post(o311):
    response = post(
        o311["client"],
        email="",
        phone="",
        media_url="",
        address_id="",
        jurisdiction_id="",
        first_name="",
        **{"attribute[unused]": ""},
    )
    report = Report.objects.get(pk=created_id(response))
    assert (report.email, report.phone, report.address_id, report.reporter_name) == ("",) * 4


def test_jurisdiction_is_accepted_when_it_is_ours(o311, settings):
    assert created_id(post(o311["client"], jurisdiction_id="330212014"))
    before = counts()
    response = post(o311["client"], jurisdiction_id="sfgov.org")
    assert error_codes(response, 404)[0].startswith("jurisdiction_id")
    assert counts() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("fields", "status", "param"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "not-the-key-at-all"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "99999"}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, ""),
        ({"lat": "", "long": ""}, 400, ""),
        ({"lat": str(OUTSIDE[1]), "long": str(OUTSIDE[0])}, 400, ""),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "NaN"}, 400, "lat"),
        ({"long": "inf"}, 400, "long"),
        ({"address_string": "路" * 201, "lat": "", "long": ""}, 400, "address_string"),
        ({"address_id": "B" * 65, "lat": "", "long": ""}, 400, "address_id"),
        ({"long": None}, 400, "long"),
        ({"lat": "95"}, 400, "lat"),
        ({"description": "很" * 4001}, 400, "description"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"email": "a" * 64 + "@" + "b" * 190 + ".cn"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"phone": "call me maybe"}, 400, "phone"),
        ({"device_id": "d" * 65}, 400, "device_id"),
        ({"address_id": "NO-SUCH-BUILDING", "lat": "", "long": ""}, 400, "address_id"),
        ({"jurisdiction_id": "elsewhere.gov"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_posts_are_refused_and_store_nothing(o311, fmt, fields, status, param):
    before = counts()
    messages = error_codes(post(o311["client"], fmt, **fields), status, fmt)
    assert counts() == before
    assert messages and all(m.strip() for m in messages)
    if param:
        assert any(m.startswith(f"{param}:") for m in messages), messages


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"attribute[source]": None}, "attribute[source]"),
        ({"attribute[source]": ""}, "attribute[source]"),
        ({"attribute[source]": "aliens"}, "attribute[source]"),
        ({"attribute[source][]": ["business", "party"], "attribute[source]": None}, "source"),
        ({"attribute[times][]": ["evening", "noon"]}, "attribute[times]"),
        ({"attribute[decibels]": "loud"}, "attribute[decibels]"),
        ({"attribute[decibels]": "nan"}, "attribute[decibels]"),
        ({"attribute[since]": "last tuesday"}, "attribute[since]"),
        ({"attribute[floor]": "3楼\n4楼"}, "attribute[floor]"),
        ({"attribute[colour]": "red"}, "attribute[colour]"),
    ],
)
def test_answers_are_checked_against_the_definition(o311, extra, param):
    before = counts()
    messages = error_codes(post(o311["client"], **noise_fields(**extra)), 400)
    assert counts() == before
    assert any(param in m for m in messages), messages


def test_all_problems_are_reported_at_once(o311):
    response = post(
        o311["client"],
        **noise_fields(**{"attribute[source]": None, "email": "x", "phone": "?"}),
    )
    messages = error_codes(response, 400)
    assert {m.split(":")[0] for m in messages} == {"attribute[source]", "email", "phone"}


def test_a_json_body_is_refused_with_a_clear_error(o311):
    before = counts()
    response = o311["client"].post(
        f"{BASE}requests.json",
        json.dumps({"api_key": DEMO_KEY, "service_code": "06010"}),
        content_type="application/json",
    )
    assert "x-www-form-urlencoded" in error_codes(response, 400)[0]
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"lat": "NaN"}, ["lat: The latitude is not a valid number."]),
        ({"lat": "abc"}, ["lat: The latitude is not a valid number."]),
        ({"long": "-inf"}, ["long: The longitude is not a valid number."]),
    ],
)
def test_a_coordinate_that_is_no_number_is_called_invalid(o311, fields, expected):
    # Not "give both latitude and longitude": the client gave both, one of them unreadable.
    response = post(o311["client"], headers={"Accept-Language": "en"}, **fields)
    assert error_codes(response, 400) == expected


def test_an_over_long_address_is_refused_not_cut(o311):
    before = counts()
    response = post(
        o311["client"],
        headers={"Accept-Language": "en"},
        address_string="东城路" + "1" * 200,
        address_id="B" * 65,
    )
    assert error_codes(response, 400) == [
        "address_string: The address may have at most 200 characters.",
        "address_id: The address id may have at most 64 characters.",
    ]
    assert counts() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_oversized_body_is_a_413_in_the_specs_format(o311, settings, fmt):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    before = counts()
    response = post(o311["client"], fmt, headers={"Accept-Language": "en"}, description="垃" * 2000)
    messages = [m.replace("\xa0", " ") for m in error_codes(response, 413, fmt)]
    assert messages == ["The request is too large (at most 2.0 KB)."]
    assert counts() == before


@pytest.mark.parametrize(
    ("method", "path", "fields"),
    [
        ("get", "requests", {"service_code": "06010\x00"}),
        ("get", "services/06\x00010", {}),
        ("post", "requests", {"description": "垃圾\x00桶满了"}),
        ("post", "requests", {"address_string": "东城路\x00"}),
    ],
)
def test_a_nul_character_anywhere_is_a_400(o311, method, path, fields):
    # PostgreSQL refuses NUL in a query; the request is refused before any query reads it.
    before = counts()
    client = o311["client"]
    if method == "get":
        response = client.get(f"{BASE}{path}.json", fields, HTTP_ACCEPT_LANGUAGE="en")
    else:
        response = post(client, headers={"Accept-Language": "en"}, **fields)
    [message] = error_codes(response, 400)
    # The one rule of every text input (core.text): a NUL is a control character.
    assert message.endswith(
        "Contains control characters (invisible characters such as NUL); remove them."
    )
    assert counts() == before


def test_a_deactivated_key_is_refused(o311):
    ApiKey.objects.filter(pk=o311["api_key"].pk).update(is_active=False)
    before = counts()
    assert error_codes(post(o311["client"]), 403)[0].startswith("api_key")
    assert counts() == before


def test_errors_speak_the_clients_language(o311):
    response = o311["client"].get(f"{BASE}requests.json?status=maybe", HTTP_ACCEPT_LANGUAGE="en")
    assert error_codes(response, 400) == ["status: The status is open or closed."]


def test_a_key_acting_as_a_user_records_that_user(o311, make_user):
    user = make_user("app-bot", unit=o311["street"])
    _key, plain = keys.create_api_key("Bot", user=user)
    report = Report.objects.get(pk=created_id(post(o311["client"], api_key=plain)))
    assert report.user == user and report.api_key.name == "Bot"
    entry = ChangeLogEntry.objects.get(content_type__model="report", object_id=str(report.pk))
    assert entry.user == user and entry.source == "api"


# -- idempotency and duplicates -------------------------------------------------------------


def test_idempotency_key_replays_the_first_answer(o311):
    client = o311["client"]
    headers = {"Idempotency-Key": "order-4711"}
    first = post(client, headers=headers)
    before = counts()
    second = post(client, headers=headers, description="不同的文字也不会再存一次")
    assert created_id(first) == created_id(second)
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert counts() == before
    # Another client's key cannot collide with it.
    _other, plain = keys.create_api_key("Other client")
    third = post(client, api_key=plain, headers=headers, lat="29.875", long="121.635")
    assert created_id(third) != created_id(first)
    report = Report.objects.get(pk=created_id(first))
    assert report.idempotency_key == f"open311:{o311['api_key'].pk}:order-4711"
    too_long = post(client, headers={"Idempotency-Key": "k" * 151})
    assert error_codes(too_long, 400)[0].startswith("Idempotency-Key")


def test_a_repeated_report_merges_but_stays_its_own_request(o311):
    client = o311["client"]
    first = created_id(post(client))
    second = created_id(
        post(
            client,
            lat=str(EAST[1] + 0.0006),
            long=str(EAST[0] + 0.0007),
            description="这里路边垃圾堆着没人清，生活垃圾发臭",
        )
    )
    assert first != second
    r1, r2 = Report.objects.get(pk=first), Report.objects.get(pk=second)
    assert r1.case_id == r2.case_id and r2.case.report_count == 2
    params = {"service_request_id": f"{first},{second}"}
    data, _ = same_in_both(client, "requests", "service_requests", "requests", params)
    assert [d["service_request_id"] for d in data] == [str(second), str(first)]
    assert {d["status"] for d in data} == {"open"}
    # The case is found untrue on site: both reporters see it closed, and why in the
    # state's public name, not in the grid worker's own words.
    actions.perform(r1.case, "verify_false", o311["users"]["gridworker"], note="现场已清理，无垃圾")
    data = valid_json(client.get(f"{BASE}requests.json", params), "requests")
    assert [d["status"] for d in data] == ["closed", "closed"]
    r1.case.refresh_from_db()
    assert {d["status_notes"] for d in data} == {str(State(r1.case.state).label)}
    assert "现场已清理" not in client.get(f"{BASE}requests.xml", params).content.decode()


# -- GET requests ---------------------------------------------------------------------------


@pytest.fixture
def feed(o311):
    """Four requests: garbage (east, open), noise (river, closed), garbage received 100 days
    ago, and a handled-looking one dispatched to 城管 with a deadline."""
    client = o311["client"]
    now = timezone.now()
    ids = {}
    ids["garbage"] = created_id(post(client, address_string="东城社区 1 号"))
    ids["noise"] = created_id(post(client, **noise_fields()))
    ids["old"] = created_id(post(client, lat="29.875", long="121.605"))
    ids["light"] = created_id(
        post(
            client,
            service_code="01037",
            lat="29.875",
            long="121.625",
            description="路灯不亮了，晚上这一段漆黑一片",
        )
    )
    reports = {k: Report.objects.get(pk=v) for k, v in ids.items()}
    assert len({r.case_id for r in reports.values()}) == 4
    actions.perform(
        reports["noise"].case, "reject", o311["users"]["acceptor"], note="不属于本街道管辖"
    )
    Report.objects.filter(pk=ids["old"]).update(received_at=now - dt.timedelta(days=100))
    Case.objects.filter(pk=reports["old"].case_id).update(reported_at=now - dt.timedelta(days=100))
    Report.objects.filter(pk=ids["garbage"]).update(received_at=now - dt.timedelta(days=2))
    Report.objects.filter(pk=ids["light"]).update(received_at=now - dt.timedelta(days=1))
    Case.objects.filter(pk=reports["light"].case_id).update(
        state=State.HANDLING,
        department=o311["departments"]["urban"],
        deadline=now + dt.timedelta(days=1),
    )
    return {**o311, "ids": ids, "now": now}


def ids_of(response) -> list[int]:
    return [int(d["service_request_id"]) for d in valid_json(response, "requests")]


def test_requests_default_to_the_last_90_days_newest_first(feed):
    ids = feed["ids"]
    data, element = same_in_both(feed["client"], "requests", "service_requests", "requests")
    assert [int(d["service_request_id"]) for d in data] == [
        ids["noise"],
        ids["light"],
        ids["garbage"],
    ]
    assert {c.tag for c in element} == {"request"}
    assert [c.tag for c in element[0]] == REQUEST_FIELDS


def test_a_request_says_what_the_spec_asks(feed):
    ids = feed["ids"]
    client = feed["client"]
    garbage = valid_json(client.get(f"{BASE}requests/{ids['garbage']}.json"), "requests")
    assert len(garbage) == 1
    g = garbage[0]
    report = Report.objects.get(pk=ids["garbage"])
    assert g["status"] == "open" and g["status_notes"] == str(State.VERIFYING.label)
    assert (g["service_code"], g["service_name"]) == ("06010", "暴露垃圾")
    assert g["description"] == GARBAGE and g["address"] == "东城社区 1 号"
    assert (g["lat"], g["long"]) == (EAST[1], EAST[0])
    assert g["agency_responsible"] is None and g["expected_datetime"] is None
    assert g["zipcode"] is None and g["service_notice"]
    received = report.received_at.replace(microsecond=0)
    assert dt.datetime.fromisoformat(g["requested_datetime"]) == received
    assert g["requested_datetime"].endswith("+08:00")
    assert g["updated_datetime"] >= g["requested_datetime"]
    light = valid_json(client.get(f"{BASE}requests/{ids['light']}.json"), "requests")[0]
    case = Report.objects.get(pk=ids["light"]).case
    assert light["agency_responsible"] == "城管" and light["status"] == "open"
    deadline = case.deadline.replace(microsecond=0)
    assert dt.datetime.fromisoformat(light["expected_datetime"]) == deadline
    noise = valid_json(client.get(f"{BASE}requests/{ids['noise']}.json"), "requests")[0]
    assert noise["status"] == "closed" and noise["status_notes"] == str(State.REJECTED.label)
    closed_at = Report.objects.get(pk=ids["noise"]).case.closed_at
    assert dt.datetime.fromisoformat(noise["updated_datetime"]) == closed_at.replace(microsecond=0)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_single_request_in_both_formats_and_404(feed, fmt):
    client = feed["client"]
    rid = feed["ids"]["light"]
    data, element = same_in_both(client, f"requests/{rid}", "service_requests", "requests")
    assert [c.tag for c in element] == ["request"] and data[0]["service_request_id"] == str(rid)
    assert error_codes(client.get(f"{BASE}requests/987654.{fmt}"), 404, fmt)
    assert error_codes(client.get(f"{BASE}requests/abc.{fmt}"), 404, fmt)


def test_requests_never_show_personal_data(o311):
    client = o311["client"]
    post(
        client,
        first_name="Alice",
        last_name="Wonder",
        phone="13900001111",
        email="alice@example.com",
        device_id="secret-device",
        account_id="secret-account",
    )
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}requests.{fmt}").content.decode()
        for private in ("Alice", "Wonder", "13900001111", "1111", "alice@", "secret-"):
            assert private not in body


def test_service_request_id_overrides_every_other_filter(feed):
    ids = feed["ids"]
    params = {
        "service_request_id": f"{ids['old']}, {ids['garbage']},nope,999999",
        "status": "closed",
        "service_code": "09001",
        "start_date": "2020-01-01T00:00:00Z",
        "end_date": "2020-01-02T00:00:00Z",
    }
    assert ids_of(feed["client"].get(f"{BASE}requests.json", params)) == [
        ids["garbage"],
        ids["old"],
    ]
    # Numbers no database holds are simply not found.
    huge = {"service_request_id": f"{'9' * 30},²,{ids['old']}"}
    assert ids_of(feed["client"].get(f"{BASE}requests.json", huge)) == [ids["old"]]
    too_many = {"service_request_id": ",".join(str(i) for i in range(1, 1002))}
    assert error_codes(feed["client"].get(f"{BASE}requests.json", too_many), 400)


def test_filter_by_service_code_list(feed):
    ids, client = feed["ids"], feed["client"]
    get = lambda **p: ids_of(client.get(f"{BASE}requests.json", p))  # noqa: E731
    assert get(service_code="06010") == [ids["garbage"]]
    assert get(service_code="06028,01037") == [ids["noise"], ids["light"]]
    assert get(service_code="99999") == []


def test_filter_by_status_list(feed):
    ids, client = feed["ids"], feed["client"]
    get = lambda **p: ids_of(client.get(f"{BASE}requests.json", p))  # noqa: E731
    assert get(status="closed") == [ids["noise"]]
    assert get(status="open") == [ids["light"], ids["garbage"]]
    assert get(status="open,closed") == get() == [ids["noise"], ids["light"], ids["garbage"]]
    for bad in ("pending", "open,done", "OPEN"):
        assert error_codes(client.get(f"{BASE}requests.json", {"status": bad}), 400)


def test_filter_by_dates(feed):
    ids, client, now = feed["ids"], feed["client"], feed["now"]
    get = lambda **p: ids_of(client.get(f"{BASE}requests.json", p))  # noqa: E731

    def w3(t):
        return t.isoformat(timespec="seconds")

    # Only a start: the 90 days after it (the old request's day included).
    start = now - dt.timedelta(days=101)
    assert get(start_date=w3(start)) == [ids["old"]]
    # Only an end: the 90 days before it.
    assert get(end_date=w3(now - dt.timedelta(days=50))) == [ids["old"]]
    assert get(end_date=w3(now - dt.timedelta(hours=36))) == [ids["garbage"]]
    # Both.
    # (the fixture's "now" was taken before the requests were posted)
    soon = now + dt.timedelta(minutes=5)
    both = {"start_date": w3(now - dt.timedelta(days=3)), "end_date": w3(soon)}
    assert get(**both) == [ids["noise"], ids["light"], ids["garbage"]]
    # The time zone is honoured: Z and an offset name the same instant.
    instant = (now - dt.timedelta(days=1, hours=12)).astimezone(dt.UTC)
    z = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    plus8 = instant.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")
    assert get(start_date=z) == get(start_date=plus8) == [ids["noise"], ids["light"]]
    # A "+" that reached the server unencoded (as a space) is still read as "+".
    raw = client.get(f"{BASE}requests.json?start_date={plus8}")
    assert ids_of(raw) == [ids["noise"], ids["light"]]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"start_date": "2026-03-01"},  # no time and no time zone
        {"start_date": "2026-03-01T00:00:00"},  # no time zone
        {"end_date": "2026-02-30T00:00:00Z"},  # no such day
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:01Z"},  # > 90 days
        {"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},  # reversed
        {"page": "0"},
        {"page": "two"},
        {"page_size": "1001"},
        {"page_size": "-5"},
        {"page_size": "²"},
        {"page": "9" * 5000},
        # the calendar's ends: 90 days before year 1 or after 9999, or UTC, do not exist
        {"end_date": "0001-01-01T00:00:00+00:00"},
        {"start_date": "9999-12-31T23:59:59+00:00"},
        {"start_date": "0001-01-01T00:00:00+14:00"},
        {"end_date": "9999-12-31T00:00:00-12:00"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(feed, params, fmt):
    response = feed["client"].get(f"{BASE}requests.{fmt}", params)
    messages = error_codes(response, 400, fmt)
    assert messages[0].split(":")[0] in params


def test_exactly_90_days_is_allowed(feed):
    params = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}
    assert valid_json(feed["client"].get(f"{BASE}requests.json", params), "requests") == []


def test_empty_parameters_behave_as_absent(feed):
    client = feed["client"]
    plain = client.get(f"{BASE}requests.json").content
    empty = {
        k: ""
        for k in (
            "service_request_id",
            "service_code",
            "start_date",
            "end_date",
            "status",
            "page",
            "page_size",
            "jurisdiction_id",
        )
    }
    assert client.get(f"{BASE}requests.json", empty).content == plain
    assert client.get(f"{BASE}requests.json", {"status": " , "}).content == plain


def test_listing_costs_the_same_queries_for_any_number_of_rows(feed, django_assert_num_queries):
    with django_assert_num_queries(1):  # the reports with their cases
        data = ids_of(feed["client"].get(f"{BASE}requests.json"))
    assert len(data) == 3


def test_pages(feed):
    ids, client = feed["ids"], feed["client"]
    get = lambda **p: ids_of(client.get(f"{BASE}requests.json", p))  # noqa: E731
    assert get(page_size="2") == [ids["noise"], ids["light"]]
    assert get(page_size="2", page="2") == [ids["garbage"]]
    assert get(page_size="2", page="3") == []
    assert get(page="1") == get()


def test_at_most_1000_rows_by_default(o311):
    report = Report.objects.get(pk=created_id(post(o311["client"])))
    now = timezone.now()
    Report.objects.bulk_create(
        Report(
            case=report.case,
            org_unit_id=report.org_unit_id,
            channel="open311",
            received_at=now - dt.timedelta(seconds=i + 1),
            description=f"第 {i} 次",
            requested_class=report.requested_class,
        )
        for i in range(1000)
    )
    data = ids_of(o311["client"].get(f"{BASE}requests.json"))
    assert len(data) == 1000 and data[0] == report.pk
    assert len(ids_of(o311["client"].get(f"{BASE}requests.json", {"page": "2"}))) == 1


def test_reports_awaiting_classification_are_not_published(o311):
    result = submit_report(
        ReportInput(
            channel="citizen", description="这里有个东西，不知道怎么说", lon=EAST[0], lat=EAST[1]
        )
    )
    assert result.case.component_class is None
    client = o311["client"]
    assert result.report.pk not in ids_of(client.get(f"{BASE}requests.json"))
    assert error_codes(client.get(f"{BASE}requests/{result.report.pk}.json"), 404)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_another_jurisdiction_is_404_everywhere(o311, fmt):
    client = o311["client"]
    for path in ("discovery", "services", "services/06010", "requests"):
        response = client.get(f"{BASE}{path}.{fmt}", {"jurisdiction_id": "sfgov.org"})
        assert error_codes(response, 404, fmt)[0].startswith("jurisdiction_id")
        assert (
            client.get(f"{BASE}{path}.{fmt}", {"jurisdiction_id": "330212014"}).status_code == 200
        )


# -- what the public feed publishes ---------------------------------------------------------


def staff_report(channel: str, text: str, point=EAST, **kw):
    garbage = ComponentClass.objects.get(kind="matter", code="06010")
    return submit_report(
        ReportInput(
            channel=channel,
            description=text,
            lon=point[0],
            lat=point[1],
            requested_class=garbage,
            **kw,
        )
    ).report


@pytest.fixture
def channels(o311):
    """A garbage report from each of: Open311, the citizens' page, a grid worker on patrol
    and a 12345 transfer (with the caller's words), each in its own case."""
    client = o311["client"]
    reports = {
        "open311": Report.objects.get(pk=created_id(post(client))),
        "citizen": staff_report("citizen", "小区门口垃圾没人收", point=(121.605, 29.862)),
        "gridworker": staff_report(
            "gridworker",
            "网格员巡查：垃圾堆在3号楼李阿姨家门口，她和物业有矛盾，先别惊动",
            point=(121.607, 29.868),
            user=o311["users"]["gridworker"],
        ),
        "hotline": staff_report(
            "hotline",
            "王女士来电（13800001111）反映楼下垃圾堆积，要求回电",
            point=(121.612, 29.861),
            external_id="12345-0007",
            user=o311["users"]["acceptor"],
        ),
    }
    assert len({r.case_id for r in reports.values()}) == 4
    assert all(r.case.component_class_id for r in reports.values())
    return {**o311, "reports": reports}


def test_the_anonymous_feed_holds_the_residents_reports_only(channels):
    client, reports = channels["client"], channels["reports"]
    ids = {k: r.pk for k, r in reports.items()}
    listed = set(ids_of(client.get(f"{BASE}requests.json")))
    assert listed == {ids["open311"], ids["citizen"]}
    asked = {"service_request_id": ",".join(str(i) for i in ids.values())}
    assert set(ids_of(client.get(f"{BASE}requests.json", asked))) == listed
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}requests.{fmt}", asked).content.decode()
        for secret in ("李阿姨", "网格员", "王女士", "13800001111", "12345-0007"):
            assert secret not in body
        # One request by its id answers as the list does: unpublished is not found.
        for name in ("gridworker", "hotline"):
            response = client.get(f"{BASE}requests/{ids[name]}.{fmt}")
            assert error_codes(response, 404, fmt)[0].startswith("service_request_id")
        assert client.get(f"{BASE}requests/{ids['citizen']}.{fmt}").status_code == 200
    citizen = valid_json(client.get(f"{BASE}requests/{ids['citizen']}.json"), "requests")[0]
    assert citizen["description"] == "小区门口垃圾没人收"
    assert (citizen["lat"], citizen["long"]) == (29.862, 121.605)


def test_a_case_made_public_is_listed_without_its_staff_texts(channels):
    client, users = channels["client"], channels["users"]
    grid = channels["reports"]["gridworker"]
    case = grid.case
    with pytest.raises(PermissionDenied):
        actions.perform(case, "publish", users["gridworker"])
    actions.perform(case, "publish", users["shiftlead"], note="已核实，可公开")
    case.refresh_from_db()
    assert case.public
    event = case.events.get(action=CaseEvent.Action.PUBLISH)
    assert event.user == users["shiftlead"] and event.note == "已核实，可公开"
    entries = ChangeLogEntry.objects.filter(content_type__model="case", object_id=str(case.pk))
    published = [e for e in entries if "public" in (e.changed_fields or [])]
    assert len(published) == 1
    assert published[0].postchange["public"] is True
    data = valid_json(client.get(f"{BASE}requests/{grid.pk}.json"), "requests")[0]
    assert data["service_code"] == "06010" and data["status"] == "open"
    assert data["description"] is None and data["media_url"] is None
    assert (data["lat"], data["long"]) == (29.868, 121.607)
    assert "李阿姨" not in client.get(f"{BASE}requests.xml").content.decode()
    assert grid.pk in ids_of(client.get(f"{BASE}requests.json"))
    # Published once: the step is not offered again; withdrawing needs a reason.
    assert "publish" not in [t.name for t in actions.available(case, users["shiftlead"])]
    with pytest.raises(ValidationError):
        actions.perform(case, "publish", users["shiftlead"])
    with pytest.raises(ValidationError):
        actions.perform(case, "unpublish", users["shiftlead"])
    actions.perform(case, "unpublish", users["shiftlead"], note="涉及邻里纠纷")
    assert grid.pk not in ids_of(client.get(f"{BASE}requests.json"))
    assert error_codes(client.get(f"{BASE}requests/{grid.pk}.json"), 404)


def test_sensitive_classes_show_a_rounded_place_and_no_address_or_text(o311, settings):
    client = o311["client"]
    point = {"lat": "29.86537", "long": "121.63012"}
    rid = created_id(
        post(client, **noise_fields(**point, address_string="江城小区5幢302室", media_url=""))
    )
    garbage = created_id(post(client, lat="29.86537", long="121.61012"))
    listed = valid_json(client.get(f"{BASE}requests.json"), "requests")
    data = {d["service_request_id"]: d for d in listed}
    noise = data[str(rid)]
    assert (noise["lat"], noise["long"]) == (29.865, 121.63)
    assert noise["address"] is None and noise["description"] is None
    assert noise["service_code"] == "06028" and noise["status"] == "open"
    assert (data[str(garbage)]["lat"], data[str(garbage)]["long"]) == (29.86537, 121.61012)
    body = client.get(f"{BASE}requests/{rid}.xml").content.decode()
    assert "5幢302" not in body and "29.86537" not in body and NOISE not in body
    # The classes and the rounding are settings.
    settings.OPEN311_SENSITIVE_DECIMALS = 2
    noise = valid_json(client.get(f"{BASE}requests/{rid}.json"), "requests")[0]
    assert (noise["lat"], noise["long"]) == (29.87, 121.63)
    settings.OPEN311_SENSITIVE_CLASSES = []
    noise = valid_json(client.get(f"{BASE}requests/{rid}.json"), "requests")[0]
    assert (noise["lat"], noise["long"]) == (29.86537, 121.63012)
    assert noise["address"] == "江城小区5幢302室" and noise["description"] == NOISE


def test_the_public_channels_are_a_setting(channels, settings):
    client, reports = channels["client"], channels["reports"]
    settings.OPEN311_PUBLIC_CHANNELS = ["open311", "hotline"]
    listed = set(ids_of(client.get(f"{BASE}requests.json")))
    assert listed == {reports["open311"].pk, reports["hotline"].pk}


def test_status_notes_never_carry_staff_notes(feed):
    client, ids = feed["client"], feed["ids"]
    garbage = Report.objects.get(pk=ids["garbage"])
    actions.perform(garbage.case, "verify", feed["users"]["gridworker"], note="内部：户主姓张")
    body = client.get(f"{BASE}requests.json").content.decode()
    assert "户主姓张" not in body and "不属于本街道管辖" not in body
    data = valid_json(client.get(f"{BASE}requests/{ids['garbage']}.json"), "requests")[0]
    garbage.case.refresh_from_db()
    assert data["status_notes"] == str(State(garbage.case.state).label)


def test_discovery_states_the_publication_policy(o311, settings):
    data, element = same_in_both(o311["client"], "discovery", "discovery", "discovery")
    publication = data["publication"]
    assert publication["channels"] == ["citizen", "open311"]
    assert publication["sensitive_services"] == sorted(settings.OPEN311_SENSITIVE_CLASSES)
    assert "06028" in publication["sensitive_services"]
    assert publication["sensitive_decimals"] == 3
    policy = publication["policy"]
    assert "110" in policy and str(Channel.CITIZEN.label) in policy
    assert [c.tag for c in element.find("publication")] == [
        "policy",
        "channels",
        "sensitive_services",
        "sensitive_decimals",
    ]
    assert [c.tag for c in element.find("publication/channels")] == ["channel", "channel"]
    settings.OPEN311_PUBLIC_CHANNELS = ["open311"]
    data = valid_json(o311["client"].get(f"{BASE}discovery.json"), "discovery")
    assert data["publication"]["channels"] == ["open311"]


# -- tokens, unknown resources, methods -----------------------------------------------------


def test_token_resolves_to_the_request(o311):
    client = o311["client"]
    report = Report.objects.get(pk=created_id(post(client)))
    token = str(report.token)
    data = valid_json(client.get(f"{BASE}tokens/{token}.json"), "token")
    assert data == [{"service_request_id": str(report.pk), "token": token}]
    element = parsed_xml(client.get(f"{BASE}tokens/{token}.xml"), "service_requests")
    assert [c.tag for c in element.find("request")] == ["service_request_id", "token"]
    assert spark(element) == as_text(data)
    for bad in ("00000000-0000-0000-0000-000000000000", "12345"):
        assert error_codes(client.get(f"{BASE}tokens/{bad}.xml"), 404, "xml")


@pytest.mark.parametrize(
    "path", ["services.csv", "nothing.xml", "requests/1/notes.json", "services/06010.html"]
)
def test_unknown_resources_are_404_in_the_specs_format(o311, path):
    response = o311["client"].get(BASE + path)
    fmt = "json" if path.endswith(".json") else "xml"
    assert error_codes(response, 404, fmt)


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "services.json"), ("put", "requests.json"), ("delete", "requests/1.xml")],
)
def test_other_methods_are_400(o311, method, path):
    response = getattr(o311["client"], method)(BASE + path)
    fmt = "json" if path.endswith(".json") else "xml"
    assert "GET" in error_codes(response, 400, fmt)[0]


def test_xml_stays_well_formed_whatever_the_text(o311):
    client = o311["client"]
    text = '垃圾 <b>很多</b> & 臭 ]]> "quoted"'
    rid = created_id(post(client, description=text))
    element = parsed_xml(client.get(f"{BASE}requests/{rid}.xml"), "service_requests")
    assert element.findtext("request/description") == text
    data = valid_json(client.get(f"{BASE}requests/{rid}.json"), "requests")
    assert data[0]["description"] == text
    # Control characters are refused at the door (tests/test_text_inputs.py); a row stored
    # before that, or by other means, still gives well-formed XML without them.
    Report.objects.filter(pk=rid).update(description="垃圾\x0b\x01 很多")
    element = parsed_xml(client.get(f"{BASE}requests/{rid}.xml"), "service_requests")
    assert element.findtext("request/description") == "垃圾 很多"
