"""Control characters in text inputs (issue 12, item 6): a NUL byte, an escape sequence or
another control character (Unicode category Cc, but tab, line feed and carriage return) is
refused on every channel — page forms, the REST API, Open311, MQTT alarms and imports — with
one message in the user's language, and nothing is stored."""

from __future__ import annotations

import csv
import importlib
import io
import json
import pkgutil
import uuid
from urllib.parse import urlencode

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

import streetbrain
from streetbrain.cases.channels import mqtt
from streetbrain.cases.channels.open311 import keys
from streetbrain.cases.models import Case, Report, Sensor
from streetbrain.core import dataio, text
from streetbrain.core.models import ChangeLogEntry, Department
from streetbrain.registry.dataio_specs import SPECS
from streetbrain.registry.models import Building, ComponentClass

EAST = (121.61, 29.865)  # 东城社区第1网格
EAST_GRID = "33021201400101"
GARBAGE = "路边有暴露垃圾，好几袋生活垃圾没人清运，已经发臭了"
# What a NUL, an escape sequence, a bell, DEL and a C1 control look like inside real text.
BAD = ["垃圾\x00很多", "垃圾\x1b[31m很多", "垃圾\x07", "垃圾\x7f", "垃圾\x85很多"]


def message(language: str = "zh-hans") -> str:
    with translation.override(language):
        return str(text.MESSAGE)


def no_reports() -> bool:
    return not Report.objects.exists() and not Case.objects.exists()


# -- the rule ---------------------------------------------------------------------------------


def test_the_rule_keeps_tab_and_line_breaks_and_looks_inside_structures():
    assert not text.has_control_characters("第一行\n第二行\r\n\t缩进 ＆ emoji 🚧")
    for bad in BAD:
        assert text.has_control_characters(bad)
    assert text.has_control_characters({"a": ["ok", {"b": "x\x00"}]})
    assert text.has_control_characters({"key\x01": "ok"})
    assert not text.has_control_characters({"a": [1, 2.5, None, True, "ok"]})
    assert text.fields_with_control_characters({"a": "ok", "b": ["x", "y\x02"]}) == ["b"]
    assert "控制字符" in message() and message("en").startswith("Contains control characters")


# -- page forms -------------------------------------------------------------------------------


def _project_modules():
    for info in pkgutil.walk_packages(streetbrain.__path__, "streetbrain."):
        name = info.name
        if ".migrations" in name or name.startswith("streetbrain.settings"):
            continue
        if name.endswith(("forms", "views")) or ".forms." in name or ".views." in name:
            yield name


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_project_checks_its_text():
    for name in _project_modules():
        importlib.import_module(name)
    ours = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.startswith(("streetbrain.", "tests.exampleapp"))
    }
    assert len(ours) > 30
    unchecked = sorted(
        f"{c.__module__}.{c.__qualname__}"
        for c in ours
        if not issubclass(c, text.ControlCharacterCheck)
    )
    assert unchecked == [], "these forms must derive from core.text.CheckedForm/CheckedModelForm"


@pytest.fixture
def public_page(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("bad", BAD)
def test_the_public_report_form_refuses_control_characters(client, case_world, public_page, bad):
    data = {
        "category": "",
        "description": bad,
        "lon": str(EAST[0]),
        "lat": str(EAST[1]),
        "address": "",
        "name": "",
        "phone": "",
        "consent": "on",
        "idempotency_key": uuid.uuid4().hex,
    }
    response = client.post(reverse("report:new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [message()]
    assert no_reports()
    # The name field too: every text field of the form.
    data.update(description=GARBAGE, name="王\x1b", idempotency_key=uuid.uuid4().hex)
    response = client.post(reverse("report:new"), data)
    assert response.context["form"].errors["name"] == [message()]
    assert no_reports()


def test_a_registry_edit_page_refuses_control_characters(client, tree, make_user):
    admin = make_user("root", superuser=True)
    building = Building.objects.create(
        code=f"{EAST_GRID}001",
        name="东城1号楼",
        address="福明路1号",
        kind="residential",
        org_unit=tree["east_grid"],
    )
    client.force_login(admin)
    url = reverse("registry:building_edit", args=[building.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(name="东城1号楼\x1b[2J", org_unit=str(tree["east_grid"].pk), kind="residential")
    data = {k: v for k, v in data.items() if not isinstance(v, list)}
    before = ChangeLogEntry.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [message()]
    assert list(response.context["form"].errors) == ["name"]
    building.refresh_from_db()
    assert building.name == "东城1号楼" and ChangeLogEntry.objects.count() == before
    # The same edit without the escape sequence is saved.
    assert client.post(url, {**data, "name": "东城一号楼"}).status_code == 302
    building.refresh_from_db()
    assert building.name == "东城一号楼"


# -- the REST API -----------------------------------------------------------------------------


def test_the_api_refuses_control_characters_in_json_and_forms(api_client, case_world):
    api_client.force_authenticate(case_world["users"]["acceptor"])
    body = {"channel": "hotline", "description": GARBAGE, "lon": EAST[0], "lat": EAST[1]}
    bad_text = api_client.post(
        "/api/cases/reports/", {**body, "description": "垃圾\x1b[31m"}, format="json"
    )
    assert bad_text.status_code == 400 and bad_text.json() == {"description": [message()]}
    # Inside a structure the serializer does not look into (the answers), and NUL too.
    bad_answer = api_client.post(
        "/api/cases/reports/", {**body, "attributes": {"floor": "3\x00"}}, format="json"
    )
    assert bad_answer.status_code == 400 and bad_answer.json() == {"attributes": [message()]}
    as_form = api_client.post("/api/cases/reports/", {**body, "external_id": "12345\x01"})
    assert as_form.status_code == 400 and as_form.json() == {"external_id": [message()]}
    assert no_reports()
    # In English for a client that asks for it.
    english = api_client.post(
        "/api/cases/reports/",
        {**body, "description": "x\x00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json() == {"description": [message("en")]}
    assert api_client.post("/api/cases/reports/", body, format="json").status_code == 201


def test_the_api_refuses_control_characters_in_model_writes(api_client, tree, make_user):
    api_client.force_authenticate(make_user("root", superuser=True))
    response = api_client.post(
        "/api/core/departments/",
        {"code": "X1", "name": "测试\x08部门", "kind": "other", "org_unit": tree["street"].pk},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"name": [message()]}
    assert not Department.objects.filter(code="X1").exists()


# -- Open311 ----------------------------------------------------------------------------------


def _open311_post(client, **fields):
    data = {
        "api_key": "streetbrain-demo-key",
        "service_code": "06010",
        "lat": str(EAST[1]),
        "long": str(EAST[0]),
        "description": GARBAGE,
        **fields,
    }
    return client.post(
        "/open311/v2/requests.json",
        urlencode(data),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )


@pytest.mark.parametrize("bad", BAD)
def test_open311_refuses_control_characters(case_world, bad):
    keys.create_api_key("市民通 App", key="streetbrain-demo-key")
    client = Client()
    response = _open311_post(client, description=bad)
    assert response.status_code == 400
    assert json.loads(response.content) == [
        {"code": 400, "description": f"description: {message()}"}
    ]
    # Any parameter: a name, a service question's answer.
    response = _open311_post(client, first_name="小\x00明", **{"attribute[x]": "a\x1b"})
    descriptions = [e["description"] for e in json.loads(response.content)]
    assert response.status_code == 400
    assert sorted(descriptions) == sorted(
        [f"first_name: {message()}", f"attribute[x]: {message()}"]
    )
    assert no_reports()
    assert _open311_post(client).status_code == 200


# -- MQTT -------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["text", "type", "alarm_id"])
def test_mqtt_alarms_with_control_characters_are_dropped(case_world, field):
    Sensor.objects.create(
        device_id="CAM-001",
        name="东城路口摄像头",
        kind="camera",
        component_class=ComponentClass.objects.get(kind="matter", code="06010"),
        lon=EAST[0],
        lat=EAST[1],
        org_unit=case_world["east_grid"],
    )
    body = {"alarm_id": "A1", "type": "垃圾满溢", "text": "垃圾桶满溢"}
    body[field] = body[field] + "\u0000"
    outcome = mqtt.process("streetbrain/sensors/CAM-001/alarm", json.dumps(body).encode())
    assert outcome.result is None and outcome.field == field
    with translation.override("zh-hans"):
        assert outcome.dropped == f"“{field}”：{message()}"
    assert no_reports()


# -- imports ----------------------------------------------------------------------------------


def _csv(rows) -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_imports_name_the_row_and_column_of_a_control_character(tree, make_user):
    admin = make_user("root", superuser=True)
    data = _csv(
        [
            ["楼栋编码", "楼栋名称", "地址", "楼栋类型", "网格编码"],
            [f"{EAST_GRID}001", "东城1号楼", "福明路1号", "住宅", EAST_GRID],
            [f"{EAST_GRID}002", "东城\x002号楼", "福明路2号", "住宅", EAST_GRID],
            [f"{EAST_GRID}003", "东城3号楼\x0c", "福明路3号", "住宅", EAST_GRID],
            [f"{EAST_GRID}00\x1b4", "东城4号楼", "福明路4号", "住宅", EAST_GRID],
        ]
    )
    report = dataio.run_import(SPECS["buildings"], data, admin, dry_run=False)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "楼栋名称", message()),
        (4, "楼栋名称", message()),
        (5, "楼栋编码", message()),
    ]
    assert not Building.objects.exists()


# -- change reasons ---------------------------------------------------------------------------


def test_a_change_reason_loses_its_control_characters_not_the_change(api_client, tree, make_user):
    api_client.force_authenticate(make_user("root", superuser=True))
    response = api_client.post(
        "/api/core/departments/",
        {"code": "X2", "name": "测试部门", "kind": "urban", "org_unit": tree["street"].pk},
        format="json",
        HTTP_X_CHANGE_REASON="%E5%B9%B4%E5%BA%A6%00%1B%E6%A0%B8%E6%9F%A5",  # 年度\0\x1b核查
    )
    assert response.status_code == 201, response.json()
    entry = ChangeLogEntry.objects.get(content_type__model="department", action="create")
    assert entry.reason == "年度核查"
