import weakref

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
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


class SearchFilterSet(django_filters.FilterSet):
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
