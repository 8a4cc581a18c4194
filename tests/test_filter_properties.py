"""Properties of the filter sets' parsing (issue 12): whatever query string a client sends to a
filtered list — the page, the API list, the export — the answer is 200 (used) or 400 (refused
with the reason), never a server error.

Nothing is listed by hand: the routes come from the URL resolver and the API routers
(``scopecheck.routes``), and each route's filter set from its view. Hypothesis draws query
strings from the names that filter set reads (a range filter's ``_after``/``_before`` too) and
the list's own parameters, with values meant to break parsers: numbers beyond any column,
``NaN``, the calendar's ends, NUL characters, text where ids belong, long strings."""

from __future__ import annotations

import datetime as dt
import inspect
import sys
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
import pytest
from django import forms
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from streetbrain.core.filtersets import FilterSet

from . import scopecheck
from .test_registry import registry  # noqa: F401

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Target:
    """A filtered list: its URL, the filter set it reads and what kind of answer it gives."""

    name: str
    url: str
    filterset: type
    kind: str  # "page", "api" or "export"

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


def _filterset_of(route: scopecheck.Route) -> type | None:
    if route.is_drf:
        if (route.drf_actions or {}).get("get") != "list":
            return None
        return getattr(route.view_class, "filterset_class", None)
    cls = route.view_class
    if cls is None:
        return None
    return route.initkwargs.get("filterset_class") or getattr(cls, "filterset_class", None)


def targets() -> list[Target]:
    out = []
    for route in scopecheck.routes():
        filterset = _filterset_of(route)
        if filterset is None or route.kwargs:
            continue
        try:
            url = reverse(route.name)
        except NoReverseMatch:
            continue
        if route.is_drf:
            kind = "api"
        elif route.name.endswith("_export"):
            kind = "export"
        else:
            kind = "page"
        out.append(Target(route.name, url, filterset, kind))
    return out


TARGETS = targets()


def _kind(field) -> str:
    """What a form field reads, for the values drawn for it."""
    if isinstance(field, forms.DateTimeField):
        return "moment"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.DecimalField | forms.FloatField | forms.IntegerField):
        return "number"
    if isinstance(field, forms.ModelChoiceField):
        return "id"
    return "text"


def parameters(filterset: type) -> dict[str, str]:
    """The query parameters ``filterset`` reads, each with the kind of value it reads: a
    filter's name, or its widget's suffixed names (``reported_at_after``, ``…_before``) for
    the fields of a range."""
    out = {}
    # An instance's filters: the class's own would keep the field built here, choices and all,
    # for every later instance (their choices are restricted per user on the instance).
    for name, f in filterset(request=None).filters.items():
        field = f.field
        suffixes = getattr(field.widget, "suffixes", None)
        if suffixes and isinstance(field, forms.MultiValueField):
            for suffix, sub in zip(suffixes, field.fields, strict=False):
                out[f"{name}_{suffix}" if suffix else name] = _kind(sub)
        else:
            out[name] = _kind(field)
    return out


# What every list reads besides its filters (pages: sort, paging, the case list's tabs; the
# API: DRF's paging, ordering and search; exports: the format, the template, plain values).
LIST_PARAMETERS = ["sort", "page", "per_page", "tab", "ordering", "search", "page_size"]
LIST_PARAMETERS += ["format", "template", "reveal", "limit", "offset"]

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "1.5",
    "0x10",
    "1_000",
    "٣",  # an Arabic-Indic digit: str.isdigit() says yes, int() too
    "²",  # a superscript: isdigit() says yes, int() says no
    "abc",
    "真",
    "\x00",
    "a\x00b",
    "%",
    "'",
    '"',
    "\\",
    "<script>",
    "true",
    "false",
    "null",
    "on",
    "registry.resident",
    "core.user",
    "csv",
    "xlsx",
    "mine",
    "-pk",
    "00000000-0000-0000-0000-000000000000",
    str(uuid.UUID(int=1)),
    "x" * 5000,
]
# The worst first: Hypothesis tries the first of a list early and shrinks towards it.
NASTY_NUMBERS = ["1e20", "-10000", "5000", "9" * 30, "-" + "9" * 30, "1e400", "1E-400"]
NASTY_NUMBERS += ["NaN", "sNaN", "inf", "-Infinity", "-1e20"]
NASTY_DATES = ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "2024-02-29"]
NASTY_DATES += ["2026-02-29", "2026-13-01", "0001-01", "9999-12", "2026-3"]
NASTY_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01 00:00"]
NASTY_MOMENTS += ["9999-12-31 23:59:59", "0001-01-01T00:00:00Z", "2026-03-01T00:00:00"]

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_any = st.one_of(st.sampled_from(NASTY), _text)
_numbers = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers().map(str),
    st.floats().map(repr),
    st.decimals().map(str),
)
_dates = st.one_of(st.sampled_from(NASTY_DATES), st.dates().map(dt.date.isoformat))
_offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
_moments = st.one_of(
    st.sampled_from(NASTY_MOMENTS), st.datetimes(timezones=_offsets).map(dt.datetime.isoformat)
)
VALUES = {
    "number": _numbers,
    "date": _dates,
    "moment": st.one_of(_moments, _dates),
    "id": st.one_of(st.integers().map(str), st.sampled_from(NASTY_NUMBERS)),
    "text": st.one_of(_any, _numbers, _dates),
}


def _pairs(reads: dict[str, str]):
    """(name, value) pairs for the parameters in ``reads``: values of the kind each expects
    (mostly) or of any kind."""
    return st.sampled_from(sorted(reads)).flatmap(
        lambda name: st.tuples(st.just(name), st.one_of(VALUES[reads[name]], _any))
    )


def query_strings(target: Target):
    """One of the filter set's parameters with a value meant to break it, and up to three
    more pairs: other filters, the list's own parameters, names it does not read."""
    filters = parameters(target.filterset)
    others = st.one_of(
        _pairs(filters), _pairs(dict.fromkeys(LIST_PARAMETERS, "text")), st.tuples(_text, _any)
    )
    query = st.tuples(_pairs(filters), st.lists(others, max_size=3)).map(lambda t: [t[0], *t[1]])
    return query.map(lambda p: urlencode(p, encoding="utf-8"))


@pytest.fixture
def root_client(registry, make_user):  # noqa: F811
    client = Client()
    client.force_login(make_user("root", superuser=True))
    return client


def test_the_targets_are_found():
    kinds = {t.kind for t in TARGETS}
    assert kinds == {"page", "api", "export"}
    names = {t.name for t in TARGETS}
    assert {"registry:resident_list", "api:registry:resident-list"} <= names
    assert {"registry:resident_export", "cases:case_export", "cases:index"} <= names


def test_every_filter_set_stands_on_the_platforms_base():
    """The range checks live in ``core.filtersets.FilterSet``: every filter set of every app
    (and every one a route reads) is one."""
    found = set()
    for module in list(sys.modules.values()):
        if not (getattr(module, "__name__", "") or "").startswith(("streetbrain.", "tests.")):
            continue
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, django_filters.FilterSet) and obj.__module__ == module.__name__:
                found.add(obj)
    found |= {t.filterset for t in TARGETS}
    strays = [f"{c.__module__}.{c.__qualname__}" for c in found if not issubclass(c, FilterSet)]
    assert not strays, sorted(strays)
    assert len(found) > 20


# Examples per target: the parsing is the filter set's, shared by the three kinds; a page
# costs the most to draw (its form, menus and table), the API the least.
EXAMPLES = {"api": 30, "export": 20, "page": 12}


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_any_query_string_is_used_or_refused(root_client, target):
    # The fixture's rows are read, never changed, by these GETs: one world serves every example.
    @settings(max_examples=EXAMPLES[target.kind], deadline=None)
    @given(qs=query_strings(target))
    # Found once by the drawing: blank values where the change log names one object.
    @example(qs="object_type=+&object_id=+")
    # Found on PostgreSQL: a kind of object that does not exist (was a 404).
    @example(qs="object_id=0&object_type=0")
    def used_or_refused(qs):
        response = root_client.get(f"{target.url}?{qs}")
        status = response.status_code
        # DRF answers a page past the end, and a ``format`` it has no renderer for, as a
        # missing resource (404), as it documents.
        drf_404 = target.kind == "api" and ("page=" in qs or "format=" in qs)
        # Plain values in an export need the reveal permission, and a model with protected data.
        refused_reveal = target.kind == "export" and "reveal=" in qs
        assert (
            status in (200, 400)
            or (status == 404 and drf_404)
            or (status == 403 and refused_reveal)
        ), (status, qs)
        if status == 400 and target.kind == "export":
            assert response.content.strip(), "an export says why it refuses"

    used_or_refused()
