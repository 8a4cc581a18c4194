"""The API's pagination: numbered pages with a ``count`` by default, cursor pages on request.

A numbered page deep in a list costs an ``OFFSET`` over every row before it and a ``COUNT``
over all of them; at a district's scale (millions of cases) both grow with the table. A client
that walks a list to its end (a sync, an export, a deep look) asks for ``?cursor=`` instead:
each page then starts where the last one stopped (``WHERE id < last`` on the primary key's
index), costs the same at any depth and carries no count. Cursor pages go in the order of the
rows' ids, newest first (``?ordering=id`` for oldest first) — the one order that is unique and
never changes under the cursor; any other ``ordering`` with a cursor is refused with the reason.

A numbered page's ``count`` is exact up to ``estimates.ESTIMATE_FROM`` rows; past it (by
PostgreSQL's planner) it is the planner's estimate and the page says so with
``"count_estimated": true`` — the pages do on the screen what the lists' pages do (an exact
COUNT over a district's two million cases costs more than the page). ``?count=exact`` asks for
the exact count at its price.
"""

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from ..estimates import EstimatingPaginator
from ..scoping import scope_units

CURSOR_ORDERINGS = {"id": ("pk",), "pk": ("pk",), "-id": ("-pk",), "-pk": ("-pk",)}


#: A scope of at most this many org units is read unit by unit (``ByUnit``); a wider one (a
#: district's two thousand grid cells) as one list along the primary key.
BY_UNIT_MAX = 400


def by_unit_index(model) -> bool:
    """Whether ``model`` has the ``(org_unit, id)`` index ``ByUnit`` reads along: without it
    the planner may read a unit's newest rows by walking the whole primary key (measured on
    the district's enterprises: 3.4 s a page)."""
    return any(list(index.fields[:2]) == ["org_unit", "id"] for index in model._meta.indexes)


class ByUnit:
    """A queryset as DRF's cursor pager uses it (``order_by``, ``filter``, one slice), read
    one org unit at a time.

    A street's rows are a few percent of a district's table and, loaded street by street, one
    block of its ids: read newest first along the primary key, a street leader's first page
    walks every later street's rows before it finds one of its own (seconds at a district's
    scale). Here the slice is one ``UNION ALL`` of the units' own newest ids, each read along
    the model's ``(org_unit, id)`` index, then the page's rows by those ids: the cost is the
    number of units times the page, whatever the table's size and order.
    """

    def __init__(self, queryset: QuerySet, units: list[int]):
        self.queryset = queryset
        self.units = units

    def order_by(self, *ordering) -> "ByUnit":
        return ByUnit(self.queryset.order_by(*ordering), self.units)

    def filter(self, *args, **kwargs) -> "ByUnit":
        return ByUnit(self.queryset.filter(*args, **kwargs), self.units)

    def __getitem__(self, bounds: slice) -> list:
        qs = self.queryset
        (order,) = qs.query.order_by  # "pk" or "-pk": IdCursorPagination's orderings
        ids = qs.values_list("pk", flat=True).order_by(order)
        if len(self.units) == 1:
            page = list(ids.filter(org_unit_id=self.units[0])[bounds])
        else:
            column = qs.model._meta.pk.attname  # a union is ordered by its columns' names
            parts = [ids.filter(org_unit_id=unit)[: bounds.stop] for unit in self.units]
            union = parts[0].union(*parts[1:], all=True)
            page = list(union.order_by(f"-{column}" if order.startswith("-") else column)[bounds])
        rows = qs.in_bulk(page)
        return [rows[pk] for pk in page]


class IdCursorPagination(CursorPagination):
    """Cursor pages by the primary key (``-pk`` unless ``?ordering=id``); a narrow scope's
    pages are read unit by unit (``ByUnit``)."""

    cursor_query_param = "cursor"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-pk",)

    def get_ordering(self, request, queryset, view):
        asked = request.query_params.get("ordering", "").strip()
        if not asked:
            return self.ordering
        if asked not in CURSOR_ORDERINGS:
            raise ValidationError(
                {
                    "ordering": [
                        _(
                            "Cursor pages go in the order of the rows' ids: "
                            "use ordering=id or ordering=-id, or page by number."
                        )
                    ]
                }
            )
        return CURSOR_ORDERINGS[asked]

    def paginate_queryset(self, queryset, request, view=None):
        if connection.features.supports_slicing_ordering_in_compound and by_unit_index(
            queryset.model
        ):
            units = scope_units(queryset.model, request.user, BY_UNIT_MAX)
            if units:
                queryset = ByUnit(queryset, units)
        return super().paginate_queryset(queryset, request, view)


class StandardPagination(PageNumberPagination):
    """``count``/``next``/``previous``/``results``; ``?page_size=`` up to 1,000; with
    ``?cursor=`` (empty to start) cursor pages without ``count`` (see the module)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    cursor_query_param = "cursor"
    count_query_param = "count"
    _exact = False  # ?count=exact, set per request by paginate_queryset

    def django_paginator_class(self, queryset, page_size):
        return EstimatingPaginator(queryset, page_size, exact=self._exact)

    def paginate_queryset(self, queryset, request, view=None):
        count = request.query_params.get(self.count_query_param)
        if count not in (None, "", "exact"):
            raise ValidationError({self.count_query_param: [_("The only choice is exact.")]})
        self._exact = count == "exact"
        if self.cursor_query_param in request.query_params:
            if request.query_params.get(self.page_query_param):
                raise ValidationError(
                    {"cursor": [_("Ask for a page number or a cursor, not both.")]}
                )
            if not isinstance(queryset, QuerySet):
                # A list computed in Python (a coverage table, a ranking) has no rows' ids
                # to continue from: it is paged by number.
                raise ValidationError(
                    {"cursor": [_("This list is paged by number, not by cursor.")]}
                )
            self._cursor = IdCursorPagination()
            return self._cursor.paginate_queryset(queryset, request, view)
        self._cursor = None
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if getattr(self, "_cursor", None) is not None:
            return Response(
                {
                    "next": self._cursor.get_next_link(),
                    "previous": self._cursor.get_previous_link(),
                    "results": data,
                }
            )
        response = super().get_paginated_response(data)
        response.data["count_estimated"] = self.page.paginator.estimated
        return response

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["required"] = [name for name in out.get("required", []) if name != "count"]
        out["properties"]["count"]["description"] = (
            "The number of rows in the whole list (numbered pages only; absent with a cursor): "
            "exact, or past 100,000 rows the database planner's estimate (count_estimated)."
        )
        out["properties"]["count_estimated"] = {
            "type": "boolean",
            "description": "true when count is the planner's estimate; ?count=exact counts.",
        }
        return out

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.count_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "exact: count every row even past 100,000 (by default a count past it is "
                    "the planner's estimate, marked count_estimated)."
                ),
                "schema": {"type": "string", "enum": ["exact"]},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Cursor paging for deep lists: send it empty for the first page, then "
                    "follow `next`. Pages go by id (newest first; ordering=id for oldest "
                    "first) and carry no count."
                ),
                "schema": {"type": "string"},
            },
        ]

    def get_html_context(self):
        if getattr(self, "_cursor", None) is not None:
            return self._cursor.get_html_context()
        return super().get_html_context()
