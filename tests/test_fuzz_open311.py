"""Fuzzing Open311 GeoReport v2 with its own request shapes.

Open311 is not in the OpenAPI schema (its clients read the GeoReport v2 specification), so
its shapes are described here, as the specification and ``open311/views.py`` define them:
query parameters for the reads, a form-encoded body for the POST (``api_key``, ``service_code``,
``lat``/``long``, ``attribute[code]`` …), answers in JSON (a list; errors a list of
``{code, description}``) or XML, by the path's extension. schemathesis generates valid and
invalid requests from it (with a real api_key and the district's service codes, so valid POSTs
reach the intake) and checks: no server error, the documented status and content type, the
documented body, and no unmasked personal value.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from streetbrain.cases.channels.open311 import serialize
from streetbrain.cases.channels.open311.keys import create_api_key

from .test_fuzz_api import COUNTS, fuzz_world, no_unmasked_personal_data, record_counts  # noqa: F401
from .test_scope_conformance import world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
API_KEY = "fuzz-open311-key-0123456789abcdef"  # created in the test database
FORMATS = {"json": "application/json", "xml": "text/xml"}

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}
LIST = {"type": "array", "items": {"type": "object"}}
OBJECT = {"type": "object"}  # the discovery document, a service definition
DATE = {"type": "string", "examples": ["2026-03-01T00:00:00+08:00", "0001-01-01T00:00:00+00:00"]}


def _answer(schema: dict, fmt: str, description: str) -> dict:
    content = {FORMATS[fmt]: {"schema": schema}} if fmt == "json" else {FORMATS[fmt]: {}}
    return {"description": description, "content": content}


def _responses(fmt: str, *errors: int, body: dict = LIST) -> dict:
    """The success and the errors: 400 on every operation (a control character in any
    parameter, ``core.text``), and those given."""
    out = {"200": _answer(body, fmt, "the resource")}
    for code in sorted({400, *errors}):
        out[str(code)] = _answer(ERRORS, fmt, "the specification's error list")
    return out


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


# The district's service codes are known only once its database exists; the schema is built
# at import. A generated ``KNOWN`` stands for them and is replaced by one before sending.
KNOWN = "__a_service_of_the_district__"


def open311_spec() -> dict:
    codes = {"type": "string", "enum": [KNOWN]}
    paths: dict = {}
    for fmt in FORMATS:
        common = [_query("jurisdiction_id", {"type": "string"})]
        paths[f"/open311/v2/discovery.{fmt}"] = {
            "get": {"parameters": common, "responses": _responses(fmt, 404, body=OBJECT)}
        }
        paths[f"/open311/v2/services.{fmt}"] = {
            "get": {"parameters": common, "responses": _responses(fmt, 404)}
        }
        paths[f"/open311/v2/services/{{service_code}}.{fmt}"] = {
            "get": {
                "parameters": [
                    *common,
                    {"name": "service_code", "in": "path", "required": True, "schema": codes},
                ],
                "responses": _responses(fmt, 404, body=OBJECT),
            }
        }
        reads = [
            *common,
            _query("service_request_id", {"type": "string"}),
            _query("service_code", {"type": "string"}),
            _query("start_date", DATE),
            _query("end_date", DATE),
            _query("status", {"type": "string", "enum": ["open", "closed", "open,closed"]}),
            _query("page", {"type": "integer"}),
            _query("page_size", {"type": "integer"}),
        ]
        form = {
            "type": "object",
            "required": ["api_key", "service_code"],
            "properties": {
                "api_key": {"type": "string", "enum": [API_KEY]},
                "service_code": codes,
                "lat": {"type": "number"},
                "long": {"type": "number"},
                "address_string": {"type": "string"},
                "address_id": {"type": "string"},
                "email": {"type": "string"},
                "device_id": {"type": "string"},
                "account_id": {"type": "string"},
                "first_name": {"type": "string"},
                "last_name": {"type": "string"},
                "phone": {"type": "string"},
                "description": {"type": "string"},
                "media_url": {"type": "string"},
            },
        }
        paths[f"/open311/v2/requests.{fmt}"] = {
            "get": {"parameters": reads, "responses": _responses(fmt, 400, 404)},
            "post": {
                "parameters": common,
                "requestBody": {
                    "required": True,
                    "content": {"application/x-www-form-urlencoded": {"schema": form}},
                },
                "responses": _responses(fmt, 400, 403, 404, 413),
            },
        }
        paths[f"/open311/v2/requests/{{service_request_id}}.{fmt}"] = {
            "get": {
                "parameters": [
                    *common,
                    {
                        "name": "service_request_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                "responses": _responses(fmt, 404),
            }
        }
        paths[f"/open311/v2/tokens/{{token}}.{fmt}"] = {
            "get": {
                "parameters": [
                    *common,
                    {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "responses": _responses(fmt, 404),
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Open311 GeoReport v2 (StreetBrain)", "version": "v2"},
        "paths": paths,
    }


@pytest.fixture(scope="module")
def service_codes(fuzz_world, world, django_db_blocker):  # noqa: F811
    """The district's service codes, and the api_key the spec names."""
    with django_db_blocker.unblock():
        create_api_key("fuzzing", key=API_KEY, user=world.users["leader"])
        codes = sorted(serialize.services_queryset().values_list("code", flat=True))
    yield codes
    record_counts()


schema = schemathesis.openapi.from_dict(open311_spec())
schema.app = get_wsgi_application()


def _known(value, codes: list[str], seed: int):
    return codes[seed % len(codes)] if value == KNOWN and codes else value


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_open311_operation(case, service_codes):
    COUNTS[(case.operation.label, "open311")] += 1
    seed = sum(COUNTS.values())
    if isinstance(case.body, dict) and "service_code" in case.body:
        case.body["service_code"] = _known(case.body["service_code"], service_codes, seed)
    if case.path_parameters and "service_code" in case.path_parameters:
        code = case.path_parameters["service_code"]
        case.path_parameters["service_code"] = _known(code, service_codes, seed)
    with transaction.atomic():
        response = case.call()
        try:
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                    no_unmasked_personal_data,
                ],
            )
        finally:
            transaction.set_rollback(True)
