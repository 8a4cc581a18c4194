"""The scope conformance suite's machinery (``test_scope_conformance.py`` declares and runs).

Three parts:

- **Routes**: every URL pattern the project registers, found by walking the resolver (DRF's
  routers are resolvers too), with the HTTP methods its view answers and the model behind its
  object in the URL, inferred from the view (``model``, ``queryset``, the serializer's
  ``Meta.model``, an export's import spec).
- **What a user may see**: ``visible(model, user)``, the rows of the scope mechanism (or, for
  what belongs to one account, that account's rows).
- **Checks of a response**: every object it names (a link, a ``url`` or ``id`` in JSON and
  GeoJSON, a row of an export, a unique code in any text) lies in the user's scope, and no
  figure of a unit outside it (the canaries the suite plants) shows, as text or as a value the
  page was rendered from.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.apps import apps
from django.db import connection, models
from django.db.models import Q
from django.db.models.query import QuerySet
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# DRF's format-suffix twins of a route (``…\.(?P<format>json)``) run the same view with the
# same arguments: they are covered with the route they repeat.
FORMAT_SUFFIX = re.compile(r"\\\.\(\?P<format>|<drf_format_suffix:format>")


# --- routes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern for an unnamed route
    pattern: str  # the full pattern, for messages
    callback: Any = field(compare=False)
    kwargs: tuple[str, ...]  # the URL's named arguments

    def __str__(self) -> str:
        return self.name

    @property
    def view_class(self):
        return getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)

    @property
    def initkwargs(self) -> dict:
        return getattr(self.callback, "view_initkwargs", None) or getattr(
            self.callback, "initkwargs", {}
        )

    @property
    def drf_actions(self) -> dict | None:
        return getattr(self.callback, "actions", None)

    @property
    def is_drf(self) -> bool:
        return hasattr(self.callback, "cls")

    @property
    def methods(self) -> tuple[str, ...] | None:
        """The HTTP methods the view answers (GET, POST …), None for a function view (its
        methods cannot be seen without calling it)."""
        cls = self.view_class
        if cls is None:
            return None
        allowed = [m for m in cls.http_method_names if m not in ("options", "head", "trace")]
        if self.drf_actions is not None:
            names = [m for m in self.drf_actions if m in allowed]
        else:
            names = [m for m in allowed if hasattr(cls, m)]
        return tuple(m.upper() for m in names)

    @property
    def write_methods(self) -> tuple[str, ...]:
        return tuple(m for m in self.methods or () if m in WRITE_METHODS)


def routes() -> list[Route]:
    """Every route the project registers (format-suffix twins left out), in resolver order."""
    out: dict[str, Route] = {}
    for pattern, name, callback in _walk(get_resolver().url_patterns, "", None):
        if FORMAT_SUFFIX.search(pattern):
            continue
        route = Route(
            name=name,
            pattern=pattern,
            callback=callback,
            kwargs=tuple(dict.fromkeys(KWARG.findall(pattern))),
        )
        out.setdefault(route.name, route)
    return list(out.values())


def _walk(patterns, prefix: str, namespace: str | None) -> Iterator[tuple[str, str | None, Any]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + _pattern_text(p.pattern), ns)
        elif isinstance(p, URLPattern):
            full = prefix + _pattern_text(p.pattern)
            name = p.name or f"<unnamed {full}>"
            yield full, f"{namespace}:{name}" if namespace else name, p.callback


def _pattern_text(pattern) -> str:
    text = str(pattern)
    return text[1:] if text.startswith("^") else text


# A route's named arguments, in path converters ("<int:pk>") or regex groups ("(?P<pk>…)").
KWARG = re.compile(r"(?:\(\?P|)<(?:\w+:)?(\w+)>")


def model_of(route: Route) -> type[models.Model] | None:
    """The model whose object the route's ``pk`` names, as its view declares it."""
    cls = route.view_class
    if cls is None:
        return None
    candidates = [getattr(cls, "model", None)]
    queryset = getattr(cls, "queryset", None)
    if isinstance(queryset, QuerySet):
        candidates.append(queryset.model)
    serializer = getattr(cls, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    candidates.append(getattr(meta, "model", None))
    for model in candidates:
        if isinstance(model, type) and issubclass(model, models.Model):
            return model
    try:  # a property on the instance, e.g. the model of an export's import spec
        model = cls(**route.initkwargs).model
    except Exception:
        return None
    return model if isinstance(model, type) and issubclass(model, models.Model) else None


# --- what a user may see ---------------------------------------------------------------------


# What belongs to one account rather than to an org unit: its rows are the account's own.
OWNED_BY = {"cases.notification": "user", "core.importjob": "user", "core.apitoken": "user"}
# What goes with another object: whoever may see that object may see it (a case's photos).
FOLLOWS = {"cases.attachment": ("case", "cases.case")}


def visible(model: type[models.Model], user) -> QuerySet | None:
    """The rows of ``model`` that ``user`` may see; None for a model nobody scopes."""
    label = model._meta.label_lower
    owner = OWNED_BY.get(label)
    if owner is not None:
        if not user.is_authenticated:
            return model._default_manager.none()
        if user.is_superuser:
            return model._default_manager.all()
        return model._default_manager.filter(**{owner: user})
    if label in FOLLOWS:
        via, parent = FOLLOWS[label]
        return model._default_manager.filter(
            **{f"{via}__in": visible(apps.get_model(parent), user).values("pk")}
        )
    if label == "core.changelogentry":
        return _readable_log(model, user)
    manager = model._default_manager
    if not hasattr(manager, "restrict"):
        return None
    return manager.restrict(user, "view")


def in_scope(model: type[models.Model], user) -> QuerySet | None:
    """The rows of ``model`` within ``user``'s org unit (or department), whatever their
    permissions; None for a model nobody scopes. What a role may not open is its business;
    what lies outside the unit must never be named."""
    from streetbrain.core.scoping import scope_q

    label = model._meta.label_lower
    if label in OWNED_BY or label in FOLLOWS or label == "core.changelogentry":
        return visible(model, user)
    if not getattr(model, "scope_lookup", None):
        return None
    if not user.is_authenticated:
        return model._default_manager.none()
    return model._default_manager.filter(scope_q(model, user, "view"))


def referenced(model: type[models.Model], user) -> set:
    """Rows of ``model`` that objects in ``user``'s scope point at (a lease's tenant, a
    case's sensor, a tower's 楼长): named with those objects, they are part of them."""
    out: set = set()
    for source in scoped_models():
        rows = None
        for f in source._meta.concrete_fields:
            if f.is_relation and f.related_model is model:
                rows = rows if rows is not None else in_scope(source, user)
                if rows is not None:
                    out |= set(rows.exclude(**{f.attname: None}).values_list(f.attname, flat=True))
    return out


def scoped_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("streetbrain.")
        and (getattr(m, "scope_lookup", None) or m._meta.label_lower in OWNED_BY)
    ]


# --- responses -------------------------------------------------------------------------------


@dataclass
class Findings:
    """What a response named that its user may not see."""

    problems: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.problems and len(self.problems) < 40:
            self.problems.append(message)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __str__(self) -> str:
        return "\n  ".join(["", *self.problems])


class Names:
    """Objects a response names, by model, with where it named them; checked in one query
    per model against what the user may see."""

    def __init__(self):
        self.pks: dict[type[models.Model], dict[str, str]] = defaultdict(dict)
        self.context: dict[type[models.Model], set[str]] = defaultdict(set)

    def add(self, model, pk, where: str, *, context: bool = False) -> None:
        """``context``: named as a relation of an object (a lease's tenant): it may lie
        outside the scope if an object inside points at it."""
        if model is None or pk in (None, ""):
            return
        self.pks[model].setdefault(str(pk), where)
        if context:
            self.context[model].add(str(pk))

    def check(self, user, findings: Findings) -> None:
        for model, pks in self.pks.items():
            rows = visible(model, user)
            if rows is None:
                continue
            ints = [p for p in pks if p.isdigit()]
            seen = {str(p) for p in rows.filter(pk__in=ints).values_list("pk", flat=True)}
            if self.context[model] - seen:
                seen |= {str(p) for p in referenced(model, user)} & self.context[model]
            for pk, where in pks.items():
                if pk not in seen:
                    findings.add(f"{where} names {model._meta.label} #{pk}, outside the scope")


def _readable_log(model, user) -> QuerySet:
    """The change-log entries ``user`` may read: those in their scope (with the change-log
    permission), and those of every object they may see (an object's log goes with it:
    ``core.views.can_view_object_of``)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    q = Q(pk__in=model._default_manager.restrict(user, "view").values("pk"))
    used = model._default_manager.values_list("content_type", flat=True).distinct()
    for ct in ContentType.objects.filter(pk__in=used):
        target = ct.model_class()
        if target is None or not hasattr(target._default_manager, "restrict"):
            continue
        pks = target._default_manager.restrict(user, "view").annotate(_key=Cast("pk", CharField()))
        q |= Q(content_type=ct, object_id__in=pks.values("_key"))
    return model._default_manager.filter(q)


class Resolver:
    """Paths → (route, model of its object, its kwargs); cached: pages repeat their links."""

    def __init__(
        self,
        object_kwargs: dict[str, dict],
        list_models: dict[str, type],
        by_kwarg: dict[str, tuple[str, str, dict[str, type]]] | None = None,
    ):
        self.object_kwargs = object_kwargs  # route name → {kwarg: model of its object}
        self.list_models = list_models  # route name → the model a list route shows
        # route name → (kwarg, selector kwarg, {selector value: model}): one route whose
        # object's model another kwarg chooses (a project's part: /parts/<name>/<pk>/).
        self.by_kwarg = by_kwarg or {}
        self.cache: dict[str, tuple | None] = {}

    def __call__(self, path: str):
        if path not in self.cache:
            try:
                match = resolve(path)
            except Resolver404:
                self.cache[path] = None
            else:
                name = match.view_name
                self.cache[path] = (name, self.object_kwargs.get(name, {}), match.kwargs)
        return self.cache[path]

    def name_objects(self, url: str, names: Names, where: str) -> None:
        """Note the objects ``url`` points at: its path's object and the objects its query
        string filters a list by (``?org_unit=12``)."""
        parts = urlsplit(html.unescape(url))
        if parts.scheme not in ("", "http", "https") or (
            parts.netloc and parts.netloc != "testserver"
        ):
            return
        if not parts.path.startswith("/") or "{id}" in parts.path:
            return
        found = self(parts.path)
        if found is None:
            return
        name, object_kwargs, kwargs = found
        if name in self.by_kwarg:
            kwarg, selector, models = self.by_kwarg[name]
            object_kwargs = {kwarg: models.get(kwargs.get(selector))}
        for kwarg, model in object_kwargs.items():
            if kwarg in kwargs:
                names.add(model, kwargs[kwarg], f"{where}: {url}")
        model = self.list_models.get(name)
        if model is None:
            return
        for key, value in parse_qsl(parts.query):
            related = _related_model(model, key)
            if related is not None and value.isdigit():
                names.add(related, value, f"{where}: {url}")


def _related_model(model, name: str):
    try:
        f = model._meta.get_field(name)
    except Exception:
        return None
    return f.related_model if f.is_relation else None


# Links, form targets and HTMX requests of a page; JSON embedded in it (json_script).
LINK_ATTRS = re.compile(r'\s(?:href|action|hx-get|hx-post|src|data-url)="([^"]*)"')
JSON_SCRIPT = re.compile(
    r'<script[^>]*type="application/(?:geo\+)?json"[^>]*>(.*?)</script>', re.DOTALL
)
# Identifiers: runs of letters, digits and the separators codes use.
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.:\-]*[0-9A-Za-z]|[0-9A-Za-z]")
NUMBER = re.compile(
    r"(?<![0-9A-Za-z.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![0-9A-Za-z])|(?<![0-9A-Za-z.,])\d+(?:\.\d+)?(?![0-9A-Za-z])"
)


def number_tokens(text: str) -> set[str]:
    """The numbers in a text as plain digits: "9,000,123" and "9000123.0" are "9000123"."""
    out = set()
    for raw in NUMBER.findall(text):
        plain = raw.replace(",", "")
        if "." in plain:
            whole, _dot, frac = plain.partition(".")
            plain = whole if not frac.strip("0") else plain
        out.add(plain)
    return out


def walk_json(value, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk_json(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_json(v, f"{path}[{i}]")
    else:
        yield path, value


def walk_values(root, limit: int = 60_000) -> Iterator[Any]:
    """The values a page was rendered from: dicts, lists, dataclasses and plain objects of
    the project, and the rows of querysets it evaluated; model instances are yielded, not
    entered (their relations would walk the whole database)."""
    seen: set[int] = set()
    stack = [(root, 0)]
    while stack and limit:
        value, depth = stack.pop()
        if id(value) in seen or depth > 8:
            continue
        seen.add(id(value))
        limit -= 1
        yield value
        if isinstance(value, str | bytes | int | float | Decimal | bool) or value is None:
            continue
        if isinstance(value, models.Model):
            continue
        if isinstance(value, QuerySet):
            cached = value._result_cache
            items = cached if cached is not None else []
        elif isinstance(value, dict):
            items = list(value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            items = list(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            items = [getattr(value, f.name, None) for f in dataclasses.fields(value)]
        elif type(value).__module__.startswith("streetbrain.") and hasattr(value, "__dict__"):
            items = list(vars(value).values())
        elif hasattr(value, "object_list") and hasattr(value, "paginator"):
            items = list(value.object_list)
        else:
            continue
        stack.extend((item, depth + 1) for item in items)


def fingerprint(target: models.Model | None = None) -> tuple:
    """The number of rows and the highest key of every table of the project, the change log
    and the API tokens included, and the target object's row as it is: a write that changed
    anything changes this."""
    tables = []
    for model in apps.get_models():
        if model._meta.proxy or not model.__module__.startswith("streetbrain."):
            continue
        q, table = connection.ops.quote_name, model._meta.db_table
        # The models' own table and column names, quoted: nothing from outside.
        top = f"CAST(MAX({q(model._meta.pk.column)}) AS TEXT)"  # text: some keys are
        tables.append(f"SELECT '{table}', COUNT(*), {top} FROM {q(table)}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(tables))
        counts = tuple(sorted(cursor.fetchall()))
    row = None
    if target is not None:
        row = type(target)._base_manager.filter(pk=target.pk).values().first()
    return counts, row


def csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_cells(content: bytes) -> Iterable[Any]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from (c for c in row if c is not None)


def json_body(response):
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def unique_codes(model: type[models.Model]) -> list[str]:
    """The model's unique text fields: codes that name one object wherever they appear."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and isinstance(f, models.CharField)
    ]


def forbidden_codes(user, public: Iterable[str] = ()) -> dict[str, str]:
    """Unique codes (with a digit, of six characters or more) of the objects ``user`` may not
    see: such a code in a response names an object outside the scope. ``public``: models
    whose codes anyone may know ("app.model")."""
    out: dict[str, str] = {}
    for model in scoped_models():
        if model._meta.label_lower in public:
            continue
        names = unique_codes(model)
        rows = in_scope(model, user)
        if not names or rows is None:
            continue
        hidden = model._default_manager.exclude(pk__in=rows.values("pk")).exclude(
            pk__in=referenced(model, user)
        )
        for values in hidden.values_list(*names):
            for name, value in zip(names, values, strict=True):
                if value and len(value) >= 6 and any(c.isdigit() for c in value):
                    out[value] = f"{model._meta.label}.{name} {value}"
    return out


@dataclass
class Canaries:
    """What must not show to one user: the unique values planted in the figures of units
    outside their scope (``numbers``), and whole multiples of ``poison`` give or take less
    than 10⁶ (a count with the poison planted, or a sum with one)."""

    numbers: dict[int, str]
    poison: int

    def check(self, value, where: str, findings: Findings) -> None:
        if isinstance(value, bool) or value is None:
            return
        if type(value) is str:
            if not DECIMAL_TEXT.match(value):
                return
            value = Decimal(value)
        if not isinstance(value, int | float | Decimal):
            return
        try:
            whole = int(value)
        except (OverflowError, ValueError):
            return
        if whole != value:
            return
        if whole in self.numbers:
            findings.add(f"{where} shows {self.numbers[whole]}")
        elif isinstance(value, int) and whole >= self.poison and whole % self.poison < 10**6:
            findings.add(
                f"{where} shows {whole:,}: a figure of a unit outside the scope, or a sum "
                "with one (the evaluation's poisoned counts)"
            )


DECIMAL_TEXT = re.compile(r"^-?\d+(?:\.\d+)?$")


class Checker:
    """Checks every response to one user: the objects it names (links, ``url`` and ``id``
    in JSON, GeoJSON features, export rows, unique codes in any text) and the figures it
    shows (the canaries), as text and as the values it was rendered from."""

    def __init__(self, user, resolver: Resolver, codes: dict[str, str], canaries: Canaries):
        self.user = user
        self.resolver = resolver
        self.codes = codes
        self.canaries = canaries

    def check(self, response, where: str, findings: Findings, *, serializer=None, export=None):
        names = Names()
        content_type = response.get("Content-Type", "")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if "html" in content_type:
            text = content.decode("utf-8", "replace")
            self.check_text(text, where, findings)
            for url in LINK_ATTRS.findall(text):
                self.resolver.name_objects(url, names, where)
            for blob in JSON_SCRIPT.findall(text):
                try:
                    data = json.loads(html.unescape(blob))
                except ValueError:
                    continue
                self.check_json(data, where, names, findings)
        elif "json" in content_type:
            text = content.decode("utf-8", "replace")
            self.check_text(text, where, findings, numbers=False)
            data = json.loads(text) if text else None
            self.check_json(data, where, names, findings, serializer=serializer)
        elif "csv" in content_type:
            text = content.decode("utf-8-sig", "replace")
            self.check_text(text, where, findings)
            rows = csv_rows(content)
            if export is not None:
                expected = {tuple(r) for r in export}
                for i, row in enumerate(rows[1:], start=2):
                    if tuple(row) not in expected:
                        findings.add(f"{where}: export row {i} is not one of the user's: {row[:4]}")
        elif "spreadsheet" in content_type:
            cells = list(xlsx_cells(content))
            for cell in cells:
                self.canaries.check(cell, where, findings)
            self.check_text(" ".join(str(c) for c in cells), where, findings)
        context = getattr(response, "context", None)
        if context is not None:
            for value in walk_values(
                [c.flatten() if hasattr(c, "flatten") else c for c in context]
            ):
                if isinstance(value, models.Model):
                    self.check_instance(value, where, names, findings)
                else:
                    self.canaries.check(
                        value, f"{where} (a value the page was rendered from)", findings
                    )
        names.check(self.user, findings)

    def check_text(self, text: str, where: str, findings: Findings, *, numbers: bool = True):
        for token in set(TOKEN.findall(text)) & self.codes.keys():
            findings.add(f"{where} names {self.codes[token]}, outside the scope")
        if numbers:
            for token in number_tokens(text):
                if token.isdigit() and int(token) in self.canaries.numbers:
                    findings.add(f"{where} shows {self.canaries.numbers[int(token)]}")

    def check_instance(self, obj, where: str, names: Names, findings: Findings):
        """A model instance the page was rendered from: a figure's values go through the
        canaries; the instance itself must be visible (checked with the names)."""
        model = obj._meta.model
        if model._meta.label_lower in FIGURE_MODELS:
            for f in model._meta.concrete_fields:
                if not f.is_relation and not f.primary_key:
                    self.canaries.check(
                        getattr(obj, f.attname), f"{where} ({model.__name__}.{f.name})", findings
                    )

    def check_json(self, data, where: str, names: Names, findings: Findings, *, serializer=None):
        for path, value in walk_json(data):
            self.canaries.check(value, f"{where} {path}", findings)
            if path.endswith(".url") and isinstance(value, str):
                self.resolver.name_objects(value, names, f"{where} {path}")
        for collection in _feature_collections(data):
            template = collection.get("url")
            if not isinstance(template, str) or "{id}" not in template:
                continue
            for feature in collection.get("features") or []:
                pk = (feature.get("properties") or {}).get("id")
                if pk is not None:
                    self.resolver.name_objects(template.replace("{id}", str(pk)), names, where)
        if serializer is not None:
            items = data.get("results") if isinstance(data, dict) and "results" in data else data
            for item in items if isinstance(items, list) else [items]:
                _name_serialized(serializer, item, names, where)


# The precomputed figures the suite plants canaries in.
FIGURE_MODELS = {"core.keyfigure", "economy.monthlyfigure", "cases.casestat", "cases.staffstat"}


def _feature_collections(data) -> Iterator[dict]:
    if isinstance(data, dict):
        if data.get("type") == "FeatureCollection":
            yield data
        for v in data.values():
            yield from _feature_collections(v)
    elif isinstance(data, list):
        for v in data:
            yield from _feature_collections(v)


def _name_serialized(serializer, item, names: Names, where: str) -> None:
    """The objects a serialized item names: itself by its ``id`` and what its relation fields
    hold (primary keys, nested objects)."""
    from rest_framework import relations
    from rest_framework import serializers as drf

    if not isinstance(item, dict):
        return
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is not None and "id" in item:
        names.add(model, item["id"], f"{where} id")
    for name, f in serializer.fields.items():
        if name not in item or item[name] in (None, "", []):
            continue
        value = item[name]
        if isinstance(f, drf.ListSerializer):
            for v in value if isinstance(value, list) else []:
                _name_serialized(f.child, v, names, f"{where} {name}")
        elif isinstance(f, drf.BaseSerializer):
            _name_serialized(f, value, names, f"{where} {name}")
        elif isinstance(f, relations.ManyRelatedField):
            related = _field_model(f.child_relation, model, f.source)
            if isinstance(f.child_relation, relations.PrimaryKeyRelatedField):
                for v in value:
                    names.add(related, v, f"{where} {name}", context=True)
        elif isinstance(f, relations.PrimaryKeyRelatedField):
            names.add(_field_model(f, model, f.source), value, f"{where} {name}", context=True)


def _field_model(f, model, source: str):
    queryset = getattr(f, "queryset", None)
    if queryset is not None:
        return queryset.model
    if model is None or "." in source:
        return None
    return _related_model(model, source)
