"""Import and export (最多报一次: data entered once, reused everywhere).

An object type declares an :class:`ImportSpec`: its model, the spreadsheet columns
(:class:`Field` subclasses, headed by the Chinese labels users see in Excel) and its natural
key (统一社会信用代码, 公民身份号码, 楼栋编码 …). This module does the rest for every type:

- :func:`read_table` reads CSV (UTF-8 with or without BOM, GB18030 as Chinese Excel saves it)
  and XLSX (first sheet, header in row 1);
- :func:`run_import` validates every row first (types, choices, checksums, references that
  exist *and* lie in the user's scope, duplicate keys within the file, the model's own
  validation) and writes nothing if any row is wrong; otherwise it upserts on the natural key
  in one transaction, re-reads what it wrote through the user's scope (rolling back if a row
  left it), and writes the change log with the channel "import". A dry run does all of that
  and rolls back, so its preview is exactly what the real run would do;
- :func:`export_rows` with :func:`write_csv` / :func:`write_xlsx` produce files that
  re-import unchanged (a round trip creates and updates nothing).

Protected values (ID numbers, phones) are exported masked unless the caller asks for plain
values and holds the model's reveal permission (each such export is logged as a reveal). On
import, a masked value means "unchanged"; when the natural key itself is masked, the export's
系统编号 (record id) column finds the row.

Errors are ``(row, column, message)``: the row as Excel numbers it (the header is row 1), the
Chinese column header, and a message in the user's language.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import decimal
import importlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, prefetch_related_objects
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit, protected
from . import extension_points as ep
from .scoping import permission_name
from .text import MESSAGE as TEXT_MESSAGE
from .text import has_control_characters

# Sent after an import wrote its rows (not for a dry run), inside its transaction, with the
# rows created or changed: bulk writes send no model signals, so an app that keeps something
# derived from another app's rows (the services' policy matches from the economy's tax and
# headcount) listens here. ``sender`` is the model, ``objects`` the rows.
imported = Signal()

RECORD_ID_HEADER = "系统编号"
PROGRESS_EVERY = 500
CHUNK = 2000
BATCH = 500
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TAG_SEPARATORS = re.compile(r"[、,，;；]")


class FileFormatError(ValueError):
    """The file cannot be read as a table (not CSV/XLSX, undecodable, damaged)."""


class _Rollback(Exception):
    pass


# --- cells --------------------------------------------------------------------------------------


def cell_text(raw: Any) -> str:
    """A cell as text: strips spaces (also full-width ones) and turns the numbers Excel made of
    codes back into digits. A number too long for Excel's 15 significant digits has lost
    digits already: refuse it rather than guess."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if raw.is_integer():
            if abs(raw) >= 1e15:
                raise ValueError(
                    _(
                        "Excel stored this value as a number and lost digits: format the "
                        "column as text and enter it again."
                    )
                )
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, datetime.datetime):
        if raw.time() == datetime.time(0):
            return raw.date().isoformat()
        return raw.isoformat(sep=" ")
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    text = str(raw).strip().strip("\u3000\ufeff\u200b").strip()
    # Our own exports guard text that Excel would run as a formula with a leading apostrophe.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _number_text(raw: Any) -> str:
    """Digits as typed, full-width or with thousands separators: "１２,３４５.５" → "12345.5"."""
    text = unicodedata.normalize("NFKC", cell_text(raw))
    return text.replace(",", "").replace(" ", "")


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


def _walk(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _scope_related(model: type[models.Model]) -> list[str]:
    """The foreign keys on the way to a model's scope path ("org_unit__path" → org_unit):
    select them with the object so that logging and scope checks need no further query."""
    lookup = getattr(model, "scope_lookup", None) or ""
    parts = lookup.split("__")[:-1]
    return ["__".join(parts[: i + 1]) for i in range(len(parts))]


def _scoped(model: type[models.Model], user, action: str):
    """``user``'s rows of ``model`` for ``action``; no user means the full scope (the CLI)."""
    manager = model._default_manager
    if user is None or not hasattr(manager, "restrict"):
        return manager.all()
    return manager.restrict(user, action)


def _chunks(values: Iterable, size: int = CHUNK) -> Iterable[list]:
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i : i + size]


class Masked(str):
    """A masked protected value read from a file (330212********123X): "leave it as it is"."""


# --- the run context ------------------------------------------------------------------------


@dataclass
class Context:
    """What a run knows besides the cells: who runs it and what was looked up in bulk."""

    user: Any = None  # None: the full scope (the command line)
    reveal: bool = False
    cache: dict = field(default_factory=dict)

    def may(self, permission: str) -> bool:
        return self.user is None or self.user.has_perm(permission)


# --- fields -------------------------------------------------------------------------------------


class Field:
    """One column (or, for a reference by a composite key, several) of a spreadsheet, bound to
    a model attribute. Subclasses parse a cell into a value, compare it with the object's and
    turn a value back into a cell."""

    kind = "text"
    numeric = False  # XLSX writes the cell as a number (else as text, formatted "@")
    is_m2m = False
    is_protected = False

    def __init__(self, header: str | tuple[str, ...], attr: str, *, required: bool | None = None):
        self.headers: tuple[str, ...] = (header,) if isinstance(header, str) else tuple(header)
        self.attr = attr
        self._required = required
        self.model: type[models.Model] | None = None
        self.model_field: models.Field | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {'/'.join(self.headers)} → {self.attr}>"

    @property
    def header(self) -> str:
        return self.headers[0]

    def bind(self, model: type[models.Model]) -> None:
        self.model = model
        try:
            self.model_field = model._meta.get_field(self.attr)
        except FieldDoesNotExist:
            self.model_field = None

    @property
    def required(self) -> bool:
        if self._required is not None:
            return self._required
        mf = self.model_field
        # A column with a default may be left empty: the default applies.
        return mf is not None and not mf.blank and not mf.has_default()

    def describe(self) -> str:
        """A format hint for the import page."""
        return _("Text")

    # import
    def prepare(self, cells_list: list[tuple], ctx: Context) -> None:
        """Look up in bulk what the rows refer to (called once before the rows are parsed)."""

    def empty(self, ctx: Context) -> Any:
        mf = self.model_field
        if mf is not None and mf.has_default():
            return mf.get_default()
        if mf is not None and mf.null:
            return None
        return ""

    def parse(self, cells: tuple, ctx: Context) -> Any:
        return self.parse_one(cells[0], ctx)

    def parse_one(self, raw: Any, ctx: Context) -> Any:
        return cell_text(raw)

    def current(self, obj: models.Model) -> Any:
        return getattr(obj, self.attr)

    def differs(self, obj: models.Model, value: Any) -> bool:
        return self.current(obj) != value

    def assign(self, obj: models.Model, value: Any) -> None:
        setattr(obj, self.attr, value)

    def key_lookup(self) -> str:
        """The ORM lookup that finds objects by this field's key value."""
        return self.attr

    def key_value(self, value: Any) -> Any:
        return value

    # export
    def export(self, obj: models.Model, ctx: Context) -> tuple:
        return (self.to_cell(self.current(obj)),)

    def to_cell(self, value: Any) -> Any:
        return "" if value is None else value

    def display(self, obj: models.Model, ctx: Context) -> str:
        """The object's value as the preview shows it (masked, whatever the context)."""
        preview = Context(user=ctx.user, cache=ctx.cache)
        return " / ".join(str(c) for c in self.export(obj, preview) if c not in ("", None))

    @property
    def select_related(self) -> list[str]:
        return []


class TextField(Field):
    def __init__(self, header, attr, *, normalise: Callable[[str], str] | None = None, **kw):
        super().__init__(header, attr, **kw)
        self.normalise = normalise

    def parse_one(self, raw, ctx):
        text = cell_text(raw)
        return self.normalise(text) if self.normalise else text

    def current(self, obj):
        value = getattr(obj, self.attr)
        return "" if value is None else value


class IntField(Field):
    kind = "int"
    numeric = True

    def describe(self):
        return _("Whole number")

    def parse_one(self, raw, ctx):
        text = _number_text(raw)
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None
        if number != number.to_integral_value():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
        return int(number)


class DecimalField(Field):
    kind = "decimal"
    numeric = True

    def describe(self):
        return _("Number, e.g. 86.5")

    def parse_one(self, raw, ctx):
        if isinstance(raw, float):
            raw = repr(raw)
        text = _number_text(raw)
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
        if not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
        return number


class FloatField(Field):
    kind = "float"
    numeric = True

    def __init__(self, header, attr, *, min_value=None, max_value=None, **kw):
        super().__init__(header, attr, **kw)
        self.min_value, self.max_value = min_value, max_value

    def describe(self):
        if self.min_value is not None and self.max_value is not None:
            return _("Number from %(min)s to %(max)s") % {
                "min": self.min_value,
                "max": self.max_value,
            }
        return _("Number, e.g. 86.5")

    def parse_one(self, raw, ctx):
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            number = float(raw)
        else:
            text = _number_text(raw)
            try:
                number = float(text)
            except ValueError:
                raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": number})
        if (self.min_value is not None and number < self.min_value) or (
            self.max_value is not None and number > self.max_value
        ):
            raise ValueError(
                _("%(value)s is out of range (%(min)s to %(max)s).")
                % {"value": number, "min": self.min_value, "max": self.max_value}
            )
        return number


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class DateField(Field):
    """Dates as 2024-01-31, 2024/1/31, 2024.1.31, 2024年1月31日, 20240131, or Excel date cells
    (and Excel's day numbers, if a date column was formatted as a number)."""

    kind = "date"

    def __init__(self, header, attr, *, min_year: int = 1900, not_future: bool = False, **kw):
        super().__init__(header, attr, **kw)
        self.min_year = min_year
        self.not_future = not_future

    def describe(self):
        return _("Date, e.g. 2024-01-31")

    def parse_one(self, raw, ctx):
        if isinstance(raw, datetime.datetime):
            value = raw.date()
        elif isinstance(raw, datetime.date):
            value = raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
            from openpyxl.utils.datetime import from_excel

            value = from_excel(raw).date()
        else:
            text = unicodedata.normalize("NFKC", cell_text(raw))
            text = text.split(" ")[0] if re.match(r"^\S+ \d{1,2}:\d{2}", text) else text
            m = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
            if not m:
                raise ValueError(
                    _("“%(value)s” is not a date; write it as 2024-01-31.") % {"value": text}
                )
            try:
                value = datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError(
                    _("The date “%(value)s” does not exist.") % {"value": text}
                ) from None
        latest = timezone.localdate() if self.not_future else datetime.date(2100, 12, 31)
        if value.year < self.min_year or value > latest:
            raise ValueError(
                _("The date %(date)s is out of range (%(min)s to %(max)s).")
                % {
                    "date": value.isoformat(),
                    "min": f"{self.min_year}-01-01",
                    "max": latest.isoformat(),
                }
            )
        return value


def _label_aliases(label: str) -> list[str]:
    """ "Owner-occupied (自住)" → itself, "Owner-occupied" and "自住"."""
    label = unicodedata.normalize("NFKC", label).strip()
    out = [label]
    m = re.match(r"^(.*?)\s*\((.+)\)\s*$", label)
    if m:
        out += [m[1], m[2]]
    return out


def _alias_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold().replace(" ", "")


class ChoiceField(Field):
    """A choice, written as its label in Chinese; the code and the English label are
    accepted too, as is either half of a label like "Owner-occupied (自住)"."""

    kind = "choice"

    def choices(self) -> list[tuple[str, Any]]:
        return list(self.model_field.flatchoices)

    def _labels(self) -> dict[str, str]:
        """Code → label in the default language (exports are in Chinese, like the headers)."""
        cache = self.__dict__.setdefault("_label_cache", {})
        if settings.LANGUAGE_CODE not in cache:
            with translation.override(settings.LANGUAGE_CODE):
                cache[settings.LANGUAGE_CODE] = {
                    str(code): str(label) for code, label in self.choices()
                }
        return cache[settings.LANGUAGE_CODE]

    def describe(self):
        return _("One of: %(labels)s") % {"labels": "、".join(self._labels().values())}

    def prepare(self, cells_list, ctx):
        aliases: dict[str, set] = {}
        for language in dict.fromkeys([settings.LANGUAGE_CODE, "en", translation.get_language()]):
            if not language:
                continue
            with translation.override(language):
                for code, label in self.choices():
                    for alias in [str(code), *_label_aliases(str(label))]:
                        aliases.setdefault(_alias_key(alias), set()).add(code)
        # An alias that names two choices names none.
        ctx.cache[self] = {k: next(iter(v)) for k, v in aliases.items() if len(v) == 1}

    def parse_one(self, raw, ctx):
        text = cell_text(raw)
        code = ctx.cache[self].get(_alias_key(text))
        if code is None:
            raise ValueError(
                _("“%(value)s” is not one of: %(labels)s.")
                % {"value": text, "labels": "、".join(self._labels().values())}
            )
        return code

    def export(self, obj, ctx):
        value = self.current(obj)
        return (self._labels().get(str(value), value) if value not in (None, "") else "",)


class ForeignKeyField(Field):
    """A reference by natural key: a grid cell by its 14-digit code, a building by its code,
    a department by code (or unambiguous name), a house by (building code, number) over two
    columns. The referenced object must exist and lie in the user's scope (view)."""

    kind = "foreign key"

    def __init__(
        self,
        header,
        attr,
        *,
        key: str | tuple[str, ...] = "code",
        alt_key: str | None = None,
        filter: dict | None = None,
        scoped: bool = True,
        hint: str = "",
        zero_pad: int = 0,
        **kw,
    ):
        super().__init__(header, attr, **kw)
        self.zero_pad = zero_pad  # fixed-width codes lose leading zeros as Excel numbers
        self.keys: tuple[str, ...] = (key,) if isinstance(key, str) else tuple(key)
        if len(self.keys) != len(self.headers):
            raise ValueError(f"{self!r}: one key per column")
        self.alt_key = alt_key if len(self.keys) == 1 else None
        self.filter = filter or {}
        self.scoped = scoped
        self.hint = hint

    @property
    def related_model(self) -> type[models.Model]:
        return self.model_field.related_model

    def describe(self):
        return self.hint or _("Code of the %(model)s") % {"model": self.model_field.verbose_name}

    @property
    def required(self) -> bool:
        if self._required is not None:
            return self._required
        return not self.model_field.null

    def empty(self, ctx):
        return None

    @property
    def select_related(self) -> list[str]:
        out = [self.attr]
        for key in self.keys:
            parts = key.split("__")[:-1]
            out += ["__".join([self.attr, *parts[: i + 1]]) for i in range(len(parts))]
        return out

    def _related_select(self) -> list[str]:
        out = set(_scope_related(self.related_model))
        for key in self.keys:
            parts = key.split("__")[:-1]
            out |= {"__".join(parts[: i + 1]) for i in range(len(parts))}
        return sorted(out)

    def _key_of(self, cells: tuple) -> tuple[str, ...]:
        return tuple(
            cell_text(c).zfill(self.zero_pad)
            if self.zero_pad and isinstance(c, int | float) and not isinstance(c, bool)
            else cell_text(c)
            for c in cells
        )

    def prepare(self, cells_list, ctx):
        wanted = {self._key_of(c) for c in cells_list if not is_blank(c)}
        found: dict[tuple, list] = {}
        qs = self.related_model._default_manager.filter(**self.filter).select_related(
            *self._related_select()
        )
        first = self.keys[0]
        for chunk in _chunks(sorted({k[0] for k in wanted})):
            q = Q(**{f"{first}__in": chunk})
            if self.alt_key:
                q |= Q(**{f"{self.alt_key}__in": chunk})
            for obj in qs.filter(q):
                own = tuple(str(_walk(obj, k)) for k in self.keys)
                found.setdefault(own, []).append(obj)
                if self.alt_key:
                    alt = (str(_walk(obj, self.alt_key)),)
                    if alt != own:
                        found.setdefault(alt, []).append(obj)
        visible = None
        if (
            self.scoped
            and ctx.user is not None
            and hasattr(self.related_model._default_manager, "restrict")
            and not ctx.may(permission_name(self.related_model, "view"))
        ):
            visible = False  # the user may not see this type at all
        elif self.scoped and ctx.user is not None:
            pks = {o.pk for objs in found.values() for o in objs}
            visible = set()
            for chunk in _chunks(pks):
                visible |= set(
                    _scoped(self.related_model, ctx.user, "view")
                    .filter(pk__in=chunk)
                    .values_list("pk", flat=True)
                )
        ctx.cache[self] = (found, visible)

    def parse(self, cells, ctx):
        if any(is_blank((c,)) for c in cells):
            raise ValueError(
                _("Fill in all of %(columns)s, or none.")
                % {"columns": "、".join(f"「{h}」" for h in self.headers)}
            )
        key = self._key_of(cells)
        found, visible = ctx.cache[self]
        objs = found.get(key, [])
        shown = " / ".join(key)
        name = self.model_field.verbose_name
        if not objs:
            raise ValueError(
                _("There is no %(model)s “%(value)s”.") % {"model": name, "value": shown}
            )
        if visible is False:
            raise ValueError(
                _("You may not see %(model)s records.")
                % {"model": self.related_model._meta.verbose_name}
            )
        if visible is not None:
            objs = [o for o in objs if o.pk in visible]
            if not objs:
                raise ValueError(
                    _("The %(model)s “%(value)s” is outside your area of responsibility.")
                    % {"model": name, "value": shown}
                )
        if len(objs) > 1:
            # An exact code match wins over a name shared by several.
            exact = [o for o in objs if (str(_walk(o, self.keys[0])),) == key]
            if len(exact) != 1:
                raise ValueError(
                    _("“%(value)s” names more than one %(model)s: use the code.")
                    % {"model": name, "value": shown}
                )
            objs = exact
        return objs[0]

    def current(self, obj):
        return getattr(obj, self.model_field.attname)

    def differs(self, obj, value):
        return self.current(obj) != (value.pk if value is not None else None)

    def key_lookup(self):
        return self.model_field.attname

    def key_value(self, value):
        return value.pk if value is not None else None

    def export(self, obj, ctx):
        related = getattr(obj, self.attr)
        if related is None:
            return tuple("" for _k in self.keys)
        return tuple(str(_walk(related, k)) for k in self.keys)


@dataclass
class Links:
    """The parsed cell of a many-to-many column. ``keep``: links the importing user may not
    see (sensitive tags) stay as they are, whatever the cell says."""

    objs: list
    keep: Callable[[Any], bool] | None = None


class ManyToManyField(Field):
    """Several references in one cell, separated by 、 or a comma: tags by name (or code).

    ``restricted``/``restricted_permission``: related objects matching ``restricted`` (e.g.
    ``{"sensitive": True}``) are shown only to users with the permission: others neither see
    them in exports and previews nor can set or remove them by import."""

    kind = "names"
    is_m2m = True

    def __init__(
        self,
        header,
        attr,
        *,
        key: str = "name",
        alt_key: str | None = "code",
        restricted: dict | None = None,
        restricted_permission: str = "",
        **kw,
    ):
        super().__init__(header, attr, **kw)
        self.key, self.alt_key = key, alt_key
        self.restricted = restricted or {}
        self.restricted_permission = restricted_permission

    @property
    def required(self) -> bool:
        return bool(self._required)

    @property
    def related_model(self):
        return self.model_field.related_model

    def describe(self):
        return _("Names separated by 、, e.g. %(example)s") % {"example": "独居老人、低保"}

    def is_restricted(self, obj) -> bool:
        return bool(self.restricted) and all(
            getattr(obj, k) == v for k, v in self.restricted.items()
        )

    def hides(self, ctx: Context) -> bool:
        return bool(self.restricted) and not ctx.may(self.restricted_permission)

    def visible(self, objs: Iterable, ctx: Context) -> list:
        if not self.hides(ctx):
            return list(objs)
        return [o for o in objs if not self.is_restricted(o)]

    def empty(self, ctx):
        return Links([], self.is_restricted if self.hides(ctx) else None)

    @staticmethod
    def _names(raw) -> list[str]:
        return [n.strip() for n in TAG_SEPARATORS.split(cell_text(raw)) if n.strip()]

    def prepare(self, cells_list, ctx):
        names = {n for cells in cells_list for n in self._names(cells[0])}
        manager = _scoped(self.related_model, ctx.user, "view")
        by_name: dict[str, Any] = {}
        for chunk in _chunks(sorted(names)):
            q = Q(**{f"{self.key}__in": chunk})
            if self.alt_key:
                q |= Q(**{f"{self.alt_key}__in": chunk})
            for obj in self.visible(manager.filter(q), ctx):
                if self.alt_key:
                    by_name.setdefault(str(getattr(obj, self.alt_key)), obj)
                by_name[str(getattr(obj, self.key))] = obj
        ctx.cache[self] = by_name

    def parse_one(self, raw, ctx):
        by_name = ctx.cache[self]
        names = self._names(raw)
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ValueError(
                _("Unknown %(model)s: %(names)s.")
                % {"model": self.model_field.verbose_name, "names": "、".join(unknown)}
            )
        objs = {by_name[n].pk: by_name[n] for n in names}
        return Links(
            [objs[pk] for pk in sorted(objs)], self.is_restricted if self.hides(ctx) else None
        )

    def _current_objs(self, obj) -> list:
        return [] if obj.pk is None else list(getattr(obj, self.attr).all())

    def _target(self, obj, value: Links) -> list:
        """The links the object ends up with: the cell's, plus the hidden ones it keeps."""
        kept = [o for o in self._current_objs(obj) if value.keep and value.keep(o)]
        return sorted({o.pk: o for o in [*value.objs, *kept]}.values(), key=lambda o: o.pk)

    def current(self, obj):
        return sorted(o.pk for o in self._current_objs(obj))

    def differs(self, obj, value):
        return self.current(obj) != [o.pk for o in self._target(obj, value)]

    def assign(self, obj, value):
        obj._dataio_m2m = {**getattr(obj, "_dataio_m2m", {}), self.attr: self._target(obj, value)}

    def export(self, obj, ctx):
        objs = self.visible(self._current_objs(obj), ctx)
        return ("、".join(str(getattr(o, self.key)) for o in objs),)

    def display(self, obj, ctx):
        pending = getattr(obj, "_dataio_m2m", {})
        if self.attr in pending:
            return "、".join(
                str(getattr(o, self.key)) for o in self.visible(pending[self.attr], ctx)
            )
        return super().display(obj, ctx)


class ProtectedField(Field):
    """A protected value (``core.protected``): a plain value sets it, a masked value means
    "unchanged" (it must match what is stored), an empty cell clears it. Exports are masked
    unless the context reveals."""

    kind = "protected"
    is_protected = True

    def __init__(
        self,
        header,
        attr,
        *,
        validator: Callable[[str], None] | None = None,
        setter: str | None = None,
        hint: str = "",
        **kw,
    ):
        super().__init__(header, attr, **kw)
        self.validator = validator
        self.setter = setter
        self.hint = hint

    def bind(self, model):
        super().bind(model)
        self.prop = getattr(model, self.attr)
        self.model_field = model._meta.get_field(f"{self.attr}_masked")

    @property
    def required(self) -> bool:
        if self._required is not None:
            return self._required
        return not self.model._meta.get_field(f"{self.attr}_digest").blank

    def describe(self):
        return self.hint or _("Full number (a masked value leaves it unchanged)")

    def empty(self, ctx):
        return ""

    def parse_one(self, raw, ctx):
        value = self.prop.normalise(cell_text(raw))
        if protected.is_masked(value):
            return Masked(value)
        if value and self.validator:
            self.validator(value)
        return value

    def current(self, obj):
        return getattr(obj, f"{self.attr}_digest")

    def differs(self, obj, value):
        if isinstance(value, Masked):
            return False
        return self.current(obj) != (protected.digest(value) if value else "")

    def check_masked(self, obj, value: Masked) -> None:
        if obj.pk is None:
            raise ValueError(_("This value is masked: enter the full number for a new record."))
        if value != getattr(obj, f"{self.attr}_masked"):
            raise ValueError(
                _(
                    "The masked value does not match the stored one: enter the full number "
                    "to change it, or leave the masked value as exported."
                )
            )

    def assign(self, obj, value):
        if self.setter and value:
            getattr(obj, self.setter)(value)
        else:
            setattr(obj, self.attr, value)

    def key_lookup(self):
        return f"{self.attr}_digest"

    def key_value(self, value):
        return next(iter(protected.lookup(self.model, self.attr, value).values()))

    def export(self, obj, ctx):
        if ctx.reveal:
            return (protected.reveal_value(obj, self.attr),)
        return (getattr(obj, f"{self.attr}_masked"),)

    def display(self, obj, ctx):
        return getattr(obj, f"{self.attr}_masked")


# --- the spec -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportColumn:
    """A column an export adds after the importable ones, for reading, not for importing: a
    figure computed in the export's query (``expression``, annotated as ``attr``), shown to
    users with ``permission`` (if given). Importing a file that still has it ignores it, so
    an export re-imports unchanged."""

    header: str
    attr: str
    expression: Any
    permission: str = ""


@dataclass
class ImportSpec:
    """How one object type is imported and exported.

    ``key``: the attributes of the natural key (one field, or several: (building, number)).
    ``inherit``: an attribute a row takes from a referenced object when its own column is
    absent or empty, e.g. ``{"org_unit": ("house", "household")}``: a resident lives in its
    house's grid cell. When both are given they must agree.
    ``clean``: per-type checks of the built object, raising ValidationError keyed by column
    header or attribute.
    ``error_columns``: where the model's errors on fields without a column of their own
    belong (``{"sex": "公民身份号码"}``).
    ``bulk``: write with ``bulk_create``/``bulk_update`` and ``audit.log_bulk`` (the default);
    False saves object by object through the model's ``save`` and the audit signals.
    ``report``: export-only columns (``ReportColumn``) after the importable ones.
    ``after_write(created, updated, user)``: what the type writes beside its rows, in the
    import's transaction and audit context once the rows passed the scope check (a lead's
    first timeline entry); a dry run rolls it back with the rows.
    """

    model: type[models.Model]
    fields: list[Field]
    key: tuple[str, ...]
    label: str = ""
    inherit: dict[str, tuple[str, ...]] = field(default_factory=dict)
    clean: Callable[[models.Model], None] | None = None
    error_columns: dict[str, str] = field(default_factory=dict)
    bulk: bool = True
    report: tuple[ReportColumn, ...] = ()
    after_write: Callable[[list, list, Any], None] | None = None

    def __post_init__(self):
        if isinstance(self.key, str):
            self.key = (self.key,)
        for f in self.fields:
            f.bind(self.model)
            if f.attr in self.inherit and f._required is None:
                f._required = False  # taken from the referenced object when empty
        seen: set[str] = set()
        for h in self.headers:
            if h in seen or h == RECORD_ID_HEADER:
                raise ValueError(f"{self.model.__name__}: column {h!r} declared twice")
            seen.add(h)
        missing = [k for k in self.key if k not in self.by_attr]
        if missing:
            raise ValueError(f"{self.model.__name__}: key {missing} has no column")

    @cached_property
    def by_attr(self) -> dict[str, Field]:
        return {f.attr: f for f in self.fields}

    @cached_property
    def key_fields(self) -> list[Field]:
        return [self.by_attr[k] for k in self.key]

    @property
    def uses_record_id(self) -> bool:
        """Exports carry the record id when the key itself is exported masked."""
        return any(f.is_protected for f in self.key_fields)

    @cached_property
    def headers(self) -> list[str]:
        return [h for f in self.fields for h in f.headers]

    @cached_property
    def export_headers(self) -> list[str]:
        return self.headers + ([RECORD_ID_HEADER] if self.uses_record_id else [])

    def all_report(self) -> list[tuple[ReportColumn, str]]:
        """The spec's own report columns and those other apps add to its model's export
        (``ListExtra.report``: the shops' cases, from the case engine), each with the
        permission it needs beside its own."""
        target = f"{self.model._meta.app_label}.{self.model._meta.model_name}"
        extra = [
            (column, item.permission)
            for item in ep.items(ep.ListExtra)
            if item.target == target
            for column in item.report
        ]
        return [(column, "") for column in self.report] + extra

    @cached_property
    def report_headers(self) -> set[str]:
        return {c.header for c, _permission in self.all_report()}

    def report_for(self, user) -> list[ReportColumn]:
        """The report columns ``user`` may see (all of them for the command line's None)."""
        return [
            c
            for c, permission in self.all_report()
            if user is None or all(user.has_perm(p) for p in (c.permission, permission) if p)
        ]

    @property
    def verbose_name(self) -> str:
        return str(self.label or self.model._meta.verbose_name_plural)

    def column_of(self, model_field_name: str) -> str:
        """The column header a model error on ``model_field_name`` belongs to."""
        if model_field_name in self.error_columns:
            return self.error_columns[model_field_name]
        for f in self.fields:
            if f.attr == model_field_name or (
                f.is_protected and model_field_name.startswith(f"{f.attr}_")
            ):
                return f.header
        return ""

    @cached_property
    def select_related(self) -> list[str]:
        out = set(_scope_related(self.model))
        parent = getattr(self.model, "audit_parent", None)
        if parent:
            out.add(parent)
        for f in self.fields:
            out.update(f.select_related)
        return sorted(out)

    @cached_property
    def prefetch_related(self) -> list[str]:
        ignore = set(getattr(self.model, "audit_ignore", ()))
        return [m.name for m in self.model._meta.many_to_many if m.name not in ignore]

    def queryset(self, qs=None):
        qs = self.model._default_manager.all() if qs is None else qs
        return qs.select_related(*self.select_related).prefetch_related(*self.prefetch_related)


def all_specs() -> dict[str, ImportSpec]:
    """Every installed streetbrain app's ``dataio_specs.SPECS``, by type key."""
    return dict(_discover())


@cache
def _discover() -> tuple[tuple[str, ImportSpec], ...]:
    out: dict[str, ImportSpec] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("streetbrain."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.dataio_specs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.dataio_specs":
                raise
            continue
        for key, spec in getattr(module, "SPECS", {}).items():
            if key in out:
                raise ValueError(f"import type {key!r} declared twice")
            out[key] = spec
    return tuple(out.items())


def get_spec(key: str) -> ImportSpec:
    try:
        return all_specs()[key]
    except KeyError:
        raise LookupError(
            _("Unknown type “%(key)s”; known types: %(known)s.")
            % {"key": key, "known": ", ".join(sorted(all_specs()))}
        ) from None


# --- reading files ------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as Excel shows it, cells)


def _read_bytes(file) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if isinstance(file, str | Path):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return data.encode() if isinstance(data, str) else data


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(
        _("The file is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8) or .xlsx.")
    )


def _table(raw_rows: Iterable[Sequence[Any]]) -> Table:
    it = iter(raw_rows)
    try:
        header_cells = list(next(it))
    except StopIteration:
        raise FileFormatError(_("The file is empty.")) from None
    headers = [cell_text(c) for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    rows = []
    for number, cells in enumerate(it, start=2):
        cells = list(cells)
        if is_blank(cells):
            continue
        if len(cells) < len(headers):
            cells += [None] * (len(headers) - len(cells))
        rows.append((number, cells))
    return Table(headers, rows)


def read_table(file) -> Table:
    """The first sheet of an XLSX file or a CSV file as a header and rows; ``file`` is a path,
    bytes or a binary file object."""
    data = _read_bytes(file)
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise FileFormatError(
            _("This is an old Excel (.xls) file: save it as .xlsx or CSV (UTF-8) and try again.")
        )
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        return _table(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise FileFormatError(_("The CSV file is damaged: %(error)s") % {"error": exc}) from exc


def _read_xlsx(data: bytes) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise FileFormatError(
            _("The Excel file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # some writers record a wrong sheet size
        return _table(ws.iter_rows(values_only=True))
    finally:
        wb.close()


# --- the report ---------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None  # as Excel numbers it (the header is row 1); None: the file as a whole
    column: str  # the Chinese column header, "" for the whole row
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)s「%(column)s」: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class PreviewRow:
    row: int
    action: str  # "create" or "update"
    object: str
    changes: list[tuple[str, str, str]]  # (column, before, after)


@dataclass
class ImportReport:
    spec: ImportSpec
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)
    created_ids: list = field(default_factory=list)
    updated_ids: list = field(default_factory=list)
    request_id: Any = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and bool(self.created or self.updated)

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def summary(self) -> str:
        if self.errors:
            return _("%(type)s: %(rows)s rows, %(errors)s errors; nothing was written.") % {
                "type": self.spec.verbose_name,
                "rows": self.total,
                "errors": len(self.errors),
            }
        text = _(
            "%(type)s: %(rows)s rows: %(created)s created, %(updated)s updated, "
            "%(unchanged)s unchanged."
        ) % {
            "type": self.spec.verbose_name,
            "rows": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            text += " " + _("Dry run: nothing was written.")
        return text


# --- import -------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[Field, Any]
    record_id: int | None = None
    failed: bool = False
    obj: models.Model | None = None
    creating: bool = False
    before: dict | None = None  # audit snapshot before the change
    attnames: dict | None = None  # concrete values before the change
    changes: list[tuple[str, str, str]] = field(default_factory=list)


# What people actually write in their spreadsheets, mapped to the headers the specs use.
HEADER_ALIASES = {
    "身份证号码": "公民身份号码",
    "身份证号": "公民身份号码",
    "身份证": "公民身份号码",
    "证件号码": "公民身份号码",
    "电话": "联系电话",
    "电话号码": "联系电话",
    "手机": "联系电话",
    "手机号": "联系电话",
    "手机号码": "联系电话",
    "联系方式": "联系电话",
    "社会信用代码": "统一社会信用代码",
    "信用代码": "统一社会信用代码",
    "网格": "网格编码",
    "网格编号": "网格编码",
    "网格代码": "网格编码",
    "楼栋编号": "楼栋编码",
    "小区": "所属小区",
    "物业": "物业公司",
    "名称": "店铺名称",
}


def _match_headers(spec: ImportSpec, headers: list[str], report: ImportReport, table: Table):
    """Column positions per field; unknown, duplicate and missing headers are errors. Common
    synonyms (身份证号码 for 公民身份号码, 手机号 for 联系电话 …) are understood."""
    known = {h: f for f in spec.fields for h in f.headers}
    positions: dict[str, int] = {}
    for i, raw in enumerate(headers):
        header = raw.strip().rstrip("*＊").strip()
        if header not in known and HEADER_ALIASES.get(header) in known:
            header = HEADER_ALIASES[header]
        if not header:
            if any(not is_blank((cells[i],)) for _n, cells in table.rows if i < len(cells)):
                report.error(1, "", _("Column %(n)s has values but no header.") % {"n": i + 1})
            continue
        if header in positions:
            report.error(1, header, _("This column appears twice."))
        elif header in spec.report_headers:
            continue  # a figure an export added for reading: not imported
        elif header not in known and header != RECORD_ID_HEADER:
            report.error(
                1,
                header,
                _("Unknown column. The columns are: %(headers)s.")
                % {"headers": "、".join(spec.export_headers)},
            )
        positions[header] = i
    if any(not is_blank(cells[len(headers) :]) for _n, cells in table.rows):
        report.error(1, "", _("Column %(n)s has values but no header.") % {"n": len(headers) + 1})
    columns: dict[Field, tuple[int, ...]] = {}
    for f in spec.fields:
        present = [h for h in f.headers if h in positions]
        if not present:
            if f.required or f.attr in spec.key:
                report.error(1, f.header, _("This required column is missing."))
            continue
        if len(present) < len(f.headers):
            for h in f.headers:
                if h not in positions:
                    report.error(1, h, _("This column is missing."))
            continue
        columns[f] = tuple(positions[h] for h in f.headers)
    return columns, positions.get(RECORD_ID_HEADER)


def run_import(
    spec: ImportSpec,
    file,
    user,
    *,
    dry_run: bool,
    progress: Callable[[int, int], None] | None = None,
    reason: str = "",
    max_rows: int | None = None,
) -> ImportReport:
    """Import ``file`` (path, bytes, file object or :class:`Table`) for ``user`` (None: the
    full scope, for the command line). All or nothing; see the module docstring."""
    report = ImportReport(spec=spec, dry_run=dry_run)
    try:
        table = file if isinstance(file, Table) else read_table(file)
    except FileFormatError as exc:
        report.error(None, "", str(exc))
        return report
    report.total = len(table.rows)
    columns, record_id_pos = _match_headers(spec, table.headers, report, table)
    if report.errors:
        return report
    if max_rows is not None and report.total > max_rows:
        report.error(
            None,
            "",
            _(
                "The file has %(rows)s rows; up to %(max)s can be imported here. Split the "
                "file, or use the command line (streetbrain import)."
            )
            % {"rows": report.total, "max": max_rows},
        )
        return report
    ctx = Context(user=user)
    for f, pos in columns.items():
        f.prepare([tuple(cells[i] for i in pos) for _n, cells in table.rows], ctx)

    rows = _parse_rows(spec, table, columns, record_id_pos, ctx, report, progress)
    _resolve(spec, rows, ctx, report)
    if report.errors:
        report.created = report.updated = report.unchanged = 0
        report.preview = []
        return report
    if not any(r.obj is not None and (r.creating or r.changes) for r in rows):
        if progress:
            progress(report.total, report.total)
        return report
    try:
        with (
            transaction.atomic(),
            audit.audit_context(
                source="import", user=user, **({"reason": reason} if reason else {})
            ) as actx,
        ):
            report.request_id = actx.request_id
            _write(spec, rows, user, report, log=not dry_run)
            if report.errors or dry_run:
                raise _Rollback
            # Inside the import's transaction: a receiver defers its work with on_commit.
            imported.send(
                sender=spec.model,
                objects=[r.obj for r in rows if r.obj is not None and (r.creating or r.changes)],
            )
    except _Rollback:
        if dry_run and not report.errors:
            report.created_ids, report.updated_ids = [], []
    except IntegrityError as exc:
        report.error(None, "", _("The database refused the import: %(error)s") % {"error": exc})
    if report.errors:
        report.created = report.updated = report.unchanged = 0
        report.created_ids, report.updated_ids, report.preview = [], [], []
    if progress:
        progress(report.total, report.total)
    return report


def _parse_rows(spec, table, columns, record_id_pos, ctx, report, progress) -> list[_Row]:
    rows: list[_Row] = []
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        row = _Row(number, {})
        for f, pos in columns.items():
            raw = tuple(cells[i] for i in pos)
            try:
                if has_control_characters(raw):
                    raise ValueError(TEXT_MESSAGE)
                if is_blank(raw):
                    if f.required:
                        raise ValueError(_("A value is required."))
                    value = f.empty(ctx)
                else:
                    value = f.parse(raw, ctx)
            except (ValueError, ValidationError) as exc:
                report.error(number, f.header, _message(exc))
                row.failed = True
                continue
            row.values[f] = value
        if record_id_pos is not None:
            text = cell_text(cells[record_id_pos])
            if text:
                if text.isascii() and text.isdigit():
                    row.record_id = int(text)
                else:
                    report.error(number, RECORD_ID_HEADER, _("A record id is a whole number."))
                    row.failed = True
        rows.append(row)
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    return rows


def _resolve(spec: ImportSpec, rows: list[_Row], ctx: Context, report: ImportReport) -> None:
    """Find each row's object by its natural key (or record id), check the scope, apply the
    values and validate the result. Fills ``row.obj``/``row.changes`` or reports errors."""
    model, user = spec.model, ctx.user
    key_fields = spec.key_fields
    key_header = key_fields[0].header
    keyed: dict[tuple, _Row] = {}
    for row in rows:
        if any(f not in row.values for f in key_fields):
            continue  # the key itself failed to parse: already reported
        values = [row.values[f] for f in key_fields]
        if any(isinstance(v, Masked) for v in values):
            if row.record_id is None:
                report.error(
                    row.number,
                    key_header,
                    _(
                        "The value is masked: enter the full number, or keep the "
                        "%(column)s column of the export so that the row can be matched."
                    )
                    % {"column": RECORD_ID_HEADER},
                )
                row.failed = True
                continue
            key = ("#", row.record_id)
        else:
            key = tuple(f.key_value(v) for f, v in zip(key_fields, values, strict=True))
        if key in keyed:
            report.error(
                row.number,
                key_header,
                _("Duplicate: row %(row)s has the same %(columns)s.")
                % {
                    "row": keyed[key].number,
                    "columns": "、".join(f"「{h}」" for f in key_fields for h in f.headers),
                },
            )
            row.failed = True
            continue
        keyed[key] = row

    # Existing objects, found whatever the user's scope (a key used outside it is a conflict).
    qs = spec.queryset()
    existing: dict[tuple, models.Model] = {}
    natural = [k for k in keyed if k[0] != "#"]
    lookups = [f.key_lookup() for f in key_fields]
    for chunk in _chunks(sorted({k[0] for k in natural}, key=str)):
        for obj in qs.filter(**{f"{lookups[0]}__in": chunk}):
            existing[tuple(getattr(obj, lk) for lk in lookups)] = obj
    record_ids = [k[1] for k in keyed if k[0] == "#"]
    for chunk in _chunks(record_ids):
        for obj in qs.filter(pk__in=chunk):
            existing[("#", obj.pk)] = obj
    changeable: set = set()
    for chunk in _chunks({o.pk for o in existing.values()}):
        changeable |= set(
            _scoped(model, user, "change").filter(pk__in=chunk).values_list("pk", flat=True)
        )
    can_add = user is None or user.has_perm(permission_name(model, "add"))
    name = model._meta.verbose_name

    claimed: dict[Any, int] = {}
    for key, row in keyed.items():
        obj = existing.get(key)
        if key[0] == "#" and obj is not None and obj.pk not in changeable:
            obj = None  # record ids outside the scope do not exist for this user
        if (
            key[0] != "#"
            and spec.uses_record_id
            and row.record_id is not None
            and (obj is None or obj.pk != row.record_id)
        ):
            # A plain key beside the record id of another record: most likely a corrected
            # key (an ID number fixed in a revealed export). Upserting would add a second
            # record for the same person; refuse and say how to do it.
            report.error(
                row.number,
                key_header,
                _(
                    "%(record_id)s %(id)s is another %(model)s than this %(column)s. To correct "
                    "%(column)s, edit the record; to add a new one, leave %(record_id)s empty."
                )
                % {
                    "record_id": RECORD_ID_HEADER,
                    "id": row.record_id,
                    "model": name,
                    "column": key_header,
                },
            )
            row.failed = True
            continue
        if obj is None:
            if key[0] == "#":
                report.error(
                    row.number,
                    RECORD_ID_HEADER,
                    _("There is no %(model)s with record id %(id)s in your area of responsibility.")
                    % {"model": name, "id": key[1]},
                )
                row.failed = True
                continue
            if not can_add:
                report.error(
                    row.number,
                    key_header,
                    _("You may not add %(model)s records.") % {"model": name},
                )
                row.failed = True
                continue
            obj, row.creating = model(), True
        else:
            if obj.pk not in changeable:
                report.error(
                    row.number,
                    key_header,
                    _(
                        "A %(model)s with this key exists outside your area of responsibility, "
                        "or you may not change it."
                    )
                    % {"model": name},
                )
                row.failed = True
                continue
            if obj.pk in claimed:
                report.error(
                    row.number,
                    key_header,
                    _("Rows %(first)s and %(second)s change the same record.")
                    % {"first": claimed[obj.pk], "second": row.number},
                )
                row.failed = True
                continue
            claimed[obj.pk] = row.number
        if row.failed:
            continue
        _apply(spec, row, obj, report, ctx)

    report.unchanged = sum(
        1 for r in rows if r.obj is not None and not r.creating and not r.changes
    )
    report.created = sum(1 for r in rows if r.obj is not None and r.creating)
    report.updated = sum(1 for r in rows if r.obj is not None and not r.creating and r.changes)
    for row in rows:
        if row.obj is not None and (row.creating or row.changes):
            report.preview.append(
                PreviewRow(
                    row.number, "create" if row.creating else "update", str(row.obj), row.changes
                )
            )


def _concrete_values(obj) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _apply(
    spec: ImportSpec, row: _Row, obj: models.Model, report: ImportReport, ctx: Context
) -> None:
    errors_before = len(report.errors)

    def remember() -> None:
        # The state before the first change: for the change log and for bulk_update.
        if not row.creating and row.before is None:
            row.attnames = _concrete_values(obj)
            row.before = audit.snapshot(obj)

    for f, value in row.values.items():
        try:
            if isinstance(value, Masked):
                f.check_masked(obj, value)
                continue
            if not row.creating and not f.differs(obj, value):
                continue
            remember()
            before = "" if row.creating else f.display(obj, ctx)
            f.assign(obj, value)
            after = f.display(obj, ctx)
            if row.creating and not after:
                continue
            row.changes.append((" / ".join(f.headers), before, after))
        except (ValueError, ValidationError) as exc:
            report.error(row.number, f.header, _message(exc))
    # Attributes taken from a referenced object (a house's grid cell).
    for target, sources in spec.inherit.items():
        target_field = spec.by_attr.get(target)
        source = next((getattr(obj, s) for s in sources if getattr(obj, s, None) is not None), None)
        if source is None:
            continue
        mf = spec.model._meta.get_field(target)
        inherited_id = getattr(source, mf.attname)
        given = row.values.get(target_field) if target_field else None
        if given is not None:
            if given.pk != inherited_id:
                report.error(
                    row.number,
                    target_field.header,
                    _("Does not match the %(target)s of the %(source)s (%(value)s).")
                    % {
                        "target": mf.verbose_name,
                        "source": source._meta.verbose_name,
                        "value": target_field.export(source, ctx)[0]
                        if isinstance(target_field, ForeignKeyField)
                        else getattr(source, target),
                    },
                )
            continue
        if getattr(obj, mf.attname) != inherited_id:
            remember()
            before = "" if row.creating or target_field is None else target_field.display(obj, ctx)
            setattr(obj, target, getattr(source, target))
            if target_field is not None:
                row.changes.append((target_field.header, before, target_field.display(obj, ctx)))
            elif not row.creating:
                row.changes.append((str(mf.verbose_name), "", str(getattr(obj, target))))
    if len(report.errors) > errors_before:
        row.failed = True
        return
    if not row.creating and not row.changes:
        row.obj = obj  # unchanged
        return
    if row.creating and hasattr(obj, "data_source"):
        obj.data_source = "import"
    # Validate what the row builds: the spec's own checks, then the model's (its references
    # were resolved above and uniqueness is the natural key's business, so those are skipped).
    exclude = [
        f.name
        for f in obj._meta.concrete_fields
        if f.is_relation and getattr(obj, f.attname) is not None
    ]
    try:
        if spec.clean:
            spec.clean(obj)
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for name, errs in exc.message_dict.items():
                column = name if name in spec.headers else spec.column_of(name)
                if name == "__all__":
                    column = ""
                for message in errs:
                    report.error(row.number, column, message)
        else:
            for message in exc.messages:
                report.error(row.number, "", message)
        row.failed = True
        return
    row.obj = obj


def _write(spec: ImportSpec, rows: list[_Row], user, report: ImportReport, *, log: bool) -> None:
    model = spec.model
    creates = [r for r in rows if r.obj is not None and r.creating]
    updates = [r for r in rows if r.obj is not None and not r.creating and r.changes]
    now = timezone.now()
    names = {f.attname: f.name for f in model._meta.concrete_fields}
    if user is not None and "updated_by" in names.values():
        for r in creates:
            r.obj.created_by = r.obj.updated_by = user
        for r in updates:
            r.obj.updated_by = user
    if spec.bulk:
        objs = [r.obj for r in creates]
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        if updates:
            # bulk_update sets no auto_now fields: stamp them, and write only what changed.
            stamps = {"updated_at", "updated_by"} & set(names)
            for r in updates:
                if "updated_at" in stamps:
                    r.obj.updated_at = now
            changed = set(stamps)
            for r in updates:
                after = _concrete_values(r.obj)
                changed |= {names[a] for a, v in after.items() if r.attnames[a] != v}
            changed.discard(model._meta.pk.name)
            model._default_manager.bulk_update(
                [r.obj for r in updates], sorted(changed), batch_size=BATCH
            )
        _write_m2m(spec, creates, updates)
    else:
        for r in creates + updates:
            r.obj.save()
            for attr, values in getattr(r.obj, "_dataio_m2m", {}).items():
                getattr(r.obj, attr).set(values)

    # Re-read through the user's scope: a row that left it rolls everything back.
    if user is not None:
        for action, group in (("add", creates), ("change", updates)):
            pks = [r.obj.pk for r in group]
            allowed: set = set()
            for chunk in _chunks(pks):
                allowed |= set(
                    _scoped(model, user, action).filter(pk__in=chunk).values_list("pk", flat=True)
                )
            column = spec.by_attr["org_unit"].header if "org_unit" in spec.by_attr else ""
            for r in group:
                if r.obj.pk not in allowed:
                    report.error(
                        r.number,
                        column,
                        _("This row would put the %(model)s outside your area of responsibility.")
                        % {"model": model._meta.verbose_name},
                    )
        if report.errors:
            return

    if spec.bulk and log:  # a dry run rolls back: its log entries would go with it
        written = [r.obj for r in creates + updates]
        for obj in written:
            getattr(obj, "_prefetched_objects_cache", {}).clear()
        if spec.prefetch_related:
            prefetch_related_objects(written, *spec.prefetch_related)
        audit.log_bulk([r.obj for r in creates], "create")
        if updates:
            audit.log_bulk(
                [r.obj for r in updates], "update", prechanges=[r.before for r in updates]
            )
    if spec.after_write is not None:
        spec.after_write([r.obj for r in creates], [r.obj for r in updates], user)
    report.created_ids = [r.obj.pk for r in creates]
    report.updated_ids = [r.obj.pk for r in updates]


def _write_m2m(spec: ImportSpec, creates: list[_Row], updates: list[_Row]) -> None:
    """Many-to-many values in bulk: an updated row's links are replaced, a new row's added."""
    for f in spec.fields:
        if not f.is_m2m:
            continue
        through = f.model_field.remote_field.through
        source = f.model_field.m2m_field_name()
        target = f.model_field.m2m_reverse_field_name()
        pending = {
            id(r): r.obj._dataio_m2m[f.attr]
            for r in creates + updates
            if f.attr in getattr(r.obj, "_dataio_m2m", {})
        }
        replaced = [r.obj.pk for r in updates if id(r) in pending]
        for chunk in _chunks(replaced):
            through.objects.filter(**{f"{source}__in": chunk}).delete()
        through.objects.bulk_create(
            [
                through(**{f"{source}_id": r.obj.pk, f"{target}_id": t.pk})
                for r in creates + updates
                for t in pending.get(id(r), ())
            ],
            batch_size=BATCH,
        )


# --- export -------------------------------------------------------------------------------------


def export_rows(
    spec: ImportSpec, queryset, *, reveal_for=None, user=None, reason: str = ""
) -> list[list[Any]]:
    """The header and one row per object of ``queryset`` (already scoped by the caller).

    ``user`` is who the export is for: values restricted to a permission they lack (sensitive
    tags) are left out; None exports everything (the command line's full scope). Protected
    values are masked unless ``reveal_for`` (a user) is given: then that user needs the
    model's reveal permission, the rows are limited to their view scope and every exported
    object gets a "reveal" entry in the change log."""
    ctx = Context(user=reveal_for or user, reveal=reveal_for is not None)
    qs = spec.queryset(queryset).order_by(*(spec.model._meta.ordering or ["pk"]), "pk")
    if reveal_for is not None:
        permission = getattr(spec.model, "reveal_permission", "")
        if not permission or not reveal_for.has_perm(permission):
            raise PermissionDenied(_("You may not see protected personal data."))
        qs = qs.filter(pk__in=_scoped(spec.model, reveal_for, "view").values("pk"))
    report = spec.report_for(user if reveal_for is None else reveal_for)
    if report:
        qs = qs.annotate(**{c.attr: c.expression for c in report})
    rows: list[list[Any]] = [spec.export_headers + [c.header for c in report]]
    revealed = []
    for obj in qs.iterator(chunk_size=CHUNK):
        rows.append(_export_cells(spec, obj, ctx, report))
        if ctx.reveal:
            revealed.append(obj)
    if revealed:
        names = [f.attr for f in spec.fields if f.is_protected]
        with transaction.atomic(), audit.audit_context(**({"reason": reason} if reason else {})):
            for obj in revealed:
                audit.log_change(
                    obj, "reveal", prechange=None, postchange=None, changed_fields=names
                )
    return rows


def _export_cells(spec: ImportSpec, obj, ctx: Context, report) -> list[Any]:
    cells: list[Any] = []
    for f in spec.fields:
        cells.extend(f.export(obj, ctx))
    if spec.uses_record_id:
        cells.append(str(obj.pk))
    cells.extend(getattr(obj, c.attr) for c in report)
    return cells


def iter_export_rows(spec: ImportSpec, queryset, *, user=None) -> Iterator[list[Any]]:
    """``export_rows`` one row at a time, protected values masked (revealing exports are
    logged per object and stay whole files): what a streamed export reads."""
    ctx = Context(user=user)
    qs = spec.queryset(queryset).order_by(*(spec.model._meta.ordering or ["pk"]), "pk")
    report = spec.report_for(user)
    if report:
        qs = qs.annotate(**{c.attr: c.expression for c in report})
    yield spec.export_headers + [c.header for c in report]
    for obj in qs.iterator(chunk_size=CHUNK):
        yield _export_cells(spec, obj, ctx, report)


def stream_csv(rows: Iterable[list[Any]], rows_per_piece: int = 500) -> Iterator[bytes]:
    """``write_csv`` in pieces of ``rows_per_piece`` rows, for a streamed response: the first
    bytes leave at once and memory stays flat whatever the number of rows; the bytes are the
    same as ``write_csv``'s."""
    yield codecs.BOM_UTF8
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(c) for c in row])
        if n % rows_per_piece == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(rows: list[list[Any]], fh=None) -> bytes:
    """CSV in UTF-8 with a BOM, so that Excel opens the Chinese text correctly. Text that
    Excel would take for a formula gets a leading apostrophe (the importer removes it)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row])
    data = codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")
    if fh is not None:
        fh.write(data)
    return data


def _width(value: Any) -> int:
    text = _csv_cell(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def write_xlsx(spec: ImportSpec, rows: list[list[Any]], fh=None) -> bytes:
    """XLSX with a bold header row, fitting column widths and the text format on every text
    column (so Excel keeps 18-digit codes as typed instead of 3.30212E+17)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    numeric = [f.numeric for f in spec.fields for _h in f.headers]
    dates = [isinstance(f, DateField) for f in spec.fields for _h in f.headers]
    if spec.uses_record_id:
        numeric.append(False)
        dates.append(False)
    extra = len(rows[0]) - len(numeric)  # report columns: figures
    numeric += [True] * extra
    dates += [False] * extra
    wb = Workbook(write_only=True)
    title = re.sub(r"[\[\]:*?/\\]", " ", spec.verbose_name)[:31]  # Excel forbids these
    ws = wb.create_sheet(title=title or "Sheet1")
    ws.freeze_panes = "A2"
    sample = rows[:200]
    for i in range(len(rows[0])):
        width = max((_width(r[i]) for r in sample if i < len(r)), default=8)
        dim = ws.column_dimensions[get_column_letter(i + 1)]
        dim.width = min(max(width + 2, 8), 50)
        if not numeric[i] and not dates[i]:
            dim.number_format = "@"
    bold = Font(bold=True)
    header = []
    for h in rows[0]:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        header.append(c)
    ws.append(header)
    for row in rows[1:]:
        out = []
        for i, value in enumerate(row):
            if value in ("", None):
                out.append(None)
            elif dates[i]:
                c = WriteOnlyCell(ws, value=value)
                c.number_format = "yyyy-mm-dd"
                out.append(c)
            elif numeric[i]:
                out.append(value)
            else:
                c = WriteOnlyCell(ws, value=str(value))
                c.data_type = "s"  # never a formula, whatever it starts with
                c.number_format = "@"
                out.append(c)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if fh is not None:
        fh.write(data)
    return data


def export_file(
    spec: ImportSpec,
    queryset,
    fmt: str = "csv",
    *,
    reveal_for=None,
    user=None,
    reason: str = "",
) -> bytes:
    rows = export_rows(spec, queryset, reveal_for=reveal_for, user=user, reason=reason)
    return write_xlsx(spec, rows) if fmt == "xlsx" else write_csv(rows)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
