"""The platform's filter sets. Pages, exports and the API share them; every one stands on
``FilterSet`` below, which range-checks what the filters read, so that a query string is either
used or refused with its reason (a 400), never a server error."""

from __future__ import annotations

import datetime as dt
import math
import weakref
from decimal import Decimal

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import flatatt
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import extension_points as ep
from .models import ChangeLogEntry, Department, OrgUnit

# Every filter set on the base below, so that the filters other apps add to its model's list
# (``ListExtra``) reach the classes created before those apps' extensions were registered.
_FILTERSETS: weakref.WeakSet = weakref.WeakSet()


def _extras(model) -> list[ep.ListExtra]:
    if model is None:
        return []
    target = f"{model._meta.app_label}.{model._meta.model_name}"
    return [extra for extra in ep.items(ep.ListExtra) if extra.target == target and extra.filters]


def refresh_extra_filters() -> None:
    """Recompute the filters of every filter set (after the extensions are registered)."""
    for cls in list(_FILTERSETS):
        cls.base_filters = cls.get_filters()


# What a filter may be given. Dates outside these years are no one's question here, and near the
# ends of the calendar (year 1, year 9999) a date cannot even be moved to UTC or by a day: the
# query would fail. Numbers without bounds of their own (``min_value``/``max_value`` on the
# filter) stay within what any column of ours holds.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
NUMBER_LIMIT = 10**15


def out_of_range(value) -> str:
    """Why a filter's cleaned ``value`` cannot be used ("" when it can): a date outside
    ``EARLIEST_DATE``–``LATEST_DATE``, a number that is not finite or beyond ±``NUMBER_LIMIT``;
    the ends of a range and the items of a list each."""
    if isinstance(value, slice):
        return out_of_range(value.start) or out_of_range(value.stop)
    if isinstance(value, list | tuple | set | frozenset):
        return next((p for p in map(out_of_range, value) if p), "")
    if isinstance(value, dt.date):  # a datetime is a date too: its own calendar day counts
        day = value.date() if isinstance(value, dt.datetime) else value
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            return gettext("Give a date from %(first)s to %(last)s.") % {
                "first": EARLIEST_DATE.isoformat(),
                "last": LATEST_DATE.isoformat(),
            }
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:
            return gettext("Give a number from %(low)s to %(high)s.") % {
                "low": f"{-NUMBER_LIMIT:,}",
                "high": f"{NUMBER_LIMIT:,}",
            }
    return ""


class _QuickOptions:
    """A select whose options are written in Python, not through a template per option:
    a district's filter forms offer thousands (2,400 units, 500 classes), which took hundreds
    of milliseconds per list page through Django's option template. Same HTML."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, html)
                if group_name
                else html
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((g,) for g in groups)),
        )


class QuickSelect(_QuickOptions, forms.Select):
    """Quick options; a choice among more than ``LARGE_CHOICES`` rows (``search_url`` set by
    the filter form for its model choices) is drawn as a search box instead: a select holding
    only the chosen row, and a text box (outside the form) whose text asks ``search_url`` for
    the matching rows of the same scoped choices (``FilterChoicesView``). The parameter, its
    values and its validation are the select's."""

    search_url = ""

    def render(self, name, value, attrs=None, renderer=None):
        queryset = getattr(self.choices, "queryset", None)
        if not self.search_url or queryset is None:
            return super().render(name, value, attrs, renderer)
        # One read decides and fills: up to LARGE_CHOICES rows are the options themselves, so
        # a small filter costs the one query it always did.
        rows = list(queryset[: LARGE_CHOICES + 1])
        if len(rows) <= LARGE_CHOICES:
            iterator = self.choices
            field = iterator.field
            options = [("", field.empty_label)] if field.empty_label is not None else []
            if getattr(field, "null_label", None) is not None:  # django-filter's "none" choice
                options.append((field.null_value, field.null_label))
            options += [iterator.choice(row) for row in rows]
            self.choices = options
            try:
                return super().render(name, value, attrs, renderer)
            finally:
                self.choices = iterator
        field = self.choices.field
        chosen = ""
        if value not in (None, ""):
            try:
                row = queryset.filter(pk=value).first()
            except (TypeError, ValueError, ValidationError):
                row = None
            if row is not None:
                chosen = format_html(
                    '<option value="{}" selected>{}</option>',
                    row.pk,
                    field.label_from_instance(row),
                )
        final = self.build_attrs(self.attrs, attrs)
        select_id = final.get("id") or f"id_{name}"
        final["id"] = select_id
        return format_html(
            '<span class="choice-search">'
            '<input type="search" name="term" form="choice-search-{name}" autocomplete="off" '
            'placeholder="{placeholder}" aria-label="{placeholder}" hx-get="{url}" '
            'hx-trigger="input changed delay:300ms, search" hx-target="#{select_id}" '
            'hx-swap="innerHTML" hx-sync="this:replace">'
            '<select name="{name}"{attrs}><option value="">{empty}</option>{chosen}</select>'
            "</span>",
            name=name,
            placeholder=gettext("Type to find…"),
            url=self.search_url,
            select_id=select_id,
            attrs=flatatt(final),
            empty=field.empty_label or "",
            chosen=chosen,
        )


class QuickSelectMultiple(_QuickOptions, forms.SelectMultiple):
    pass


#: From this many choices a filter's select is a search box (``QuickSelect``).
LARGE_CHOICES = 200
#: The matches the search box offers at a time.
CHOICES_SHOWN = 30


def filterset_key(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def filterset_by_key(key: str):
    """The filter set class named ``key`` (``filterset_key``), or None."""
    return next((cls for cls in list(_FILTERSETS) if filterset_key(cls) == key), None)


def choice_matches(queryset, term: str):
    """The rows of a filter's (scoped) choices whose name or code holds ``term``, in the
    choices' order; all of them for no term."""
    if not term:
        return queryset
    names = {f.name for f in queryset.model._meta.get_fields()}
    q = Q()
    for name in ("name", "display_name", "username", "code"):
        if name in names:
            q |= Q(**{f"{name}__icontains": term})
    if term.isdigit():
        q |= Q(pk=int(term)) if len(term) < 10 else Q()
    return queryset.filter(q) if q else queryset.none()


QUICK_WIDGETS = {forms.Select: QuickSelect, forms.SelectMultiple: QuickSelectMultiple}


class _RangeCheckedForm:
    """Mixed into every filter set's form: refuses the values ``out_of_range`` names; its
    plain selects draw their options quickly (``QuickSelect``)."""

    filterset_key = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            quick = QUICK_WIDGETS.get(type(field.widget))
            if quick is not None:
                field.widget.__class__ = quick
            if (
                self.filterset_key
                and quick is QuickSelect
                and isinstance(field, forms.ModelChoiceField)
            ):
                field.widget.search_url = reverse(
                    "core:filter_choices", args=[self.filterset_key, name]
                )

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            problem = out_of_range(value)
            if problem:
                self.add_error(name, problem)
        return cleaned


class FilterSet(django_filters.FilterSet):
    """The base of every filter set of the platform. Its form checks the range of every number
    and date the filters read (``out_of_range``), on top of each field's own checks; a filter
    that refuses its value only when it applies it (a month, an industry code: it raises
    ``ValidationError``) has the message put on the form too. So ``is_valid()`` is False and
    ``errors`` says why for any value a filter cannot take: the API answers 400 with them, a
    list page shows them (400), an export refuses (400)."""

    def get_form_class(self):
        form_class = super().get_form_class()
        key = filterset_key(type(self)) if type(self) in _FILTERSETS else ""
        return type(form_class.__name__, (_RangeCheckedForm, form_class), {"filterset_key": key})

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        self.qs  # noqa: B018 (applies the filters: some check their value only then)
        return not self.form.errors

    def filter_queryset(self, queryset):
        for name, value in list(self.form.cleaned_data.items()):
            try:
                queryset = self.filters[name].filter(queryset, value)
            except ValidationError as exc:
                self.form.add_error(name, exc.messages)
                return queryset.none()
        return queryset

    def problems(self) -> list[str]:
        """The form's errors as lines for a person or a client: "label (parameter): message"."""
        form = self.form
        lines = []
        for name, messages in form.errors.items():
            field = form.fields.get(name)
            label = str(field.label) if field is not None and field.label else ""
            where = name
            if label and label != name:
                where = gettext("%(label)s (%(parameter)s)") % {"label": label, "parameter": name}
            lines.extend(
                gettext("%(field)s: %(message)s") % {"field": where, "message": message}
                for message in messages
            )
        return lines


def refused_filters(filterset: FilterSet) -> HttpResponse:
    """What an export answers to filters it cannot use: 400, and why, as plain text."""
    lines = [gettext("These filters cannot be used; nothing was exported:"), *filterset.problems()]
    return HttpResponse(
        "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


class SearchFilterSet(FilterSet):
    """Adds ``q``: a free-text search over the model's ``search_fields``; and the filters
    other apps add to this model's list (``ListExtra``: the shops' "has open cases", from
    the case engine), offered to the users who hold the extra's permission."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    search_fields: tuple[str, ...] = ()

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        _FILTERSETS.add(cls)
        for extra in _extras(getattr(cls._meta, "model", None)):
            for name, declared in extra.filters.items():
                filters.setdefault(name, declared)
        return filters

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for extra in _extras(self._meta.model):
            if user is None or not ep.may(user, extra.permission):
                for name in extra.filters:
                    self.filters.pop(name, None)
        # Choice lists must not leak what lies outside the user's scope: every related
        # queryset a filter offers goes through the same restriction as the lists.
        for f in self.filters.values():
            qs = getattr(f, "queryset", None)  # model choice filters keep it here
            if hasattr(qs, "restrict"):
                f.queryset = qs.restrict(user, "view") if user else qs.none()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)


class OrgUnitFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "legacy_code")
    parent = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.exclude(level=OrgUnit.Level.GRID), label=_("parent")
    )
    within = django_filters.CharFilter(
        method="filter_within",
        label=_("Within unit (code)"),
    )

    class Meta:
        model = OrgUnit
        fields = ["level", "parent", "code"]

    def filter_within(self, queryset, name, value):
        unit = OrgUnit.objects.filter(code=value).first()
        return queryset.filter(path__startswith=unit.path) if unit else queryset.none()


class DepartmentFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "phone")

    class Meta:
        model = Department
        fields = ["kind", "is_active", "org_unit"]


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "display_name")
    role = django_filters.CharFilter(field_name="groups__name", label=_("Role"))

    class Meta:
        model = get_user_model()
        fields = ["is_active", "department", "org_unit"]


class ChangeLogFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "user_name", "reason")
    action = django_filters.ChoiceFilter(choices=ChangeLogEntry.Action.choices, label=_("Action"))
    source = django_filters.ChoiceFilter(choices=ChangeLogEntry.Source.choices, label=_("Channel"))
    time_after = django_filters.IsoDateTimeFilter(
        field_name="time", lookup_expr="gte", label=_("From (time)")
    )
    time_before = django_filters.IsoDateTimeFilter(
        field_name="time", lookup_expr="lt", label=_("Until (time)")
    )
    object_type = django_filters.CharFilter(
        method="filter_object_type", label=_("Object type (app.model)")
    )
    object_id = django_filters.CharFilter(label=_("Object id"))
    request_id = django_filters.UUIDFilter(label=_("Request id"))

    class Meta:
        model = ChangeLogEntry
        fields = ["action", "source", "user", "request_id", "object_id"]

    def filter_object_type(self, queryset, name, value):
        app_label, _sep, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
