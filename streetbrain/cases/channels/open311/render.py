"""Open311 responses in both formats from one Python structure.

The spec defines the XML (schemaless, no namespace, a list is a container element holding one
element per item: ``<services><service>…``) and derives the JSON from it by the Spark
convention: a container becomes an array, an element with children an object, an empty
element ``null``. So views build plain dicts and lists once and this module writes either.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
MIME_TYPES = ["text/xml", "application/json"]

# Container element → the element of each item (the spec's "⇊" and "↴").
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "channels": "channel",
    "sensitive_services": "service_code",
}

# Characters XML 1.0 cannot carry at all (C0 controls but tab, CR and LF; lone surrogates;
# U+FFFE/U+FFFF). A description pasted from elsewhere may hold them; they are dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def w3(value: dt.datetime | None) -> str | None:
    """A time in the W3C profile of ISO 8601 with the offset of the site's time zone
    (``2026-03-02T09:00:00+08:00``)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _INVALID_XML.sub("", str(value)).translate(_ESCAPES)


def _element(out: list[str], name: str, value) -> None:
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _element(out, key, item)
        out.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        item_name = ITEMS[name]
        if not value:
            out.append(f"<{name}/>")
            return
        out.append(f"<{name}>")
        for item in value:
            _element(out, item_name, item)
        out.append(f"</{name}>")
    else:
        text = _text(value)
        out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def to_xml(root: str, data) -> str:
    """``data`` as the document ``<root>…</root>`` with the XML declaration the spec asks for."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _element(out, root, data)
    out.append("\n")
    return "".join(out)


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def respond(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """The response in ``fmt`` ("xml" or "json"); ``root`` names the XML document element."""
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])


def errors(fmt: str, status: int, messages: list[str]) -> HttpResponse:
    """The spec's error list: one ``{code, description}`` per message, code = HTTP status."""
    items = [{"code": status, "description": str(m)} for m in messages]
    return respond(fmt, "errors", items, status=status)
