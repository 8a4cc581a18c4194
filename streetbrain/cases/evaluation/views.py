"""The evaluation page (综合评价) and its Excel bulletin. Both read the precomputed figures
of ``stats`` only: a page view costs a handful of queries over the stat tables,
whatever the number of cases."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from streetbrain.core.models import OrgUnit
from streetbrain.core.months import add_months

from . import bulletin, definitions, periods, scores, stats

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


CHART_ENDS = 10  # a long table's chart shows its best and worst ten


def _chart(table: scores.Table) -> dict:
    scored = [r for r in table.rows if r.score is not None]
    gap = len(scored) > 2 * CHART_ENDS + 1
    if gap:
        scored = scored[:CHART_ENDS] + scored[-CHART_ENDS:]
    return {
        "title": table.title,
        "names": [r.name for r in scored],
        "scores": [r.score for r in scored],
        "gap_after": CHART_ENDS if gap else None,
    }


def _sort_key(value: float | None) -> str:
    return "" if value is None else repr(value)


def _dimension(params, user, shown: list[str]) -> str:
    value = params.get("dim", "")
    if value in shown:
        return value
    # A department's people look at departments first; everyone else at the areas one
    # level below their unit (a district's leader at the streets, a street's at the
    # communities).
    if getattr(user, "department_id", None):
        return "department"
    below = scores.area_dimension_below(OrgUnit.home_of(user))
    return below if below in shown and below != "grid" else "community"


def _quarter_choices(today: dt.date, selected: periods.Period) -> list[dict]:
    current = periods.quarter_of(today)
    out = []
    for back in range(12):
        q = periods.quarter_of(add_months(current.first, -3 * back))
        out.append({"value": q.slug, "label": q.label, "selected": q == selected})
    if selected.kind == "quarter" and not any(o["selected"] for o in out):
        out.append({"value": selected.slug, "label": selected.label, "selected": True})
    return out


class EvaluationView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    template_name = "cases/evaluation.html"
    permission_required = "cases.view_case"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        today = timezone.localdate()
        period, valid = periods.parse_period(request.GET, today)
        shown = scores.dimensions_for(user)
        dimension = _dimension(request.GET, user, shown)
        tables = scores.indicators(period.first, period.last, dimension, user)
        period_query = urlencode(period.query())
        ctx.update(
            title=_("Case evaluation"),
            period=period,
            period_valid=valid,
            period_query=period_query,
            dimension=dimension,
            tabs=[
                {
                    "key": key,
                    "label": label,
                    "url": f"?{period_query}&{urlencode({'dim': key})}",
                    "active": key == dimension,
                }
                for key, label in definitions.DIMENSIONS.items()
                if key in shown
            ],
            tables=[self._table(t, i) for i, t in enumerate(tables)],
            charts=[_chart(t) for t in tables],
            trend=scores.trend(period.last, user),
            as_of=stats.last_refreshed(),
            definitions=definitions.definitions(dimension),
            formulas=definitions.formulas(dimension),
            kinds=[
                ("month", _("Month")),
                ("quarter", _("Quarter")),
                ("year", _("Year")),
                ("range", _("From – to")),
            ],
            quarters=_quarter_choices(today, period),
            years=list(range(today.year, today.year - 6, -1)),
            month_value=f"{period.last:%Y-%m}",
            from_value=f"{period.first:%Y-%m}",
            to_value=f"{period.last:%Y-%m}",
        )
        return ctx

    @staticmethod
    def _table(table: scores.Table, index: int) -> dict:
        staff = table.dimension == "role"
        return {
            "id": f"eval-table-{index}",
            "title": table.title,
            "kind": table.kind,
            "staff": staff,
            "count_columns": table.count_columns,
            "rate_columns": table.rate_columns,
            "empty": not table.rows,
            "body": format_html_join(
                "\n", "{}", ((_row_html(r, table, staff),) for r in table.rows)
            ),
            "total": _row_html(table.total, table, staff, total=True),
        }


def _row_html(row: scores.Row, table: scores.Table, staff: bool, total=False) -> str:
    """One table row. Built here rather than in template loops: a role table has hundreds of
    rows of a dozen cells, and the page must stay fast (data-value drives the sorting)."""
    cell = "th" if total else "td"
    name = format_html('<a href="{}">{}</a>', row.url, row.name) if row.url else row.name
    parts = [format_html("<{0}>{1}</{0}>", cell, name)]
    if staff:
        parts.append(format_html("<{0}>{1}</{0}>", cell, row.detail))
    for key in table.count_keys:
        n = row.counts[key]
        parts.append(format_html('<{0} class="num" data-value="{1}">{1}</{0}>', cell, n))
    for key in table.rate_keys:
        value = row.rates.get(key)
        parts.append(
            format_html(
                '<{0} class="num" data-value="{1}">{2}</{0}>',
                cell,
                _sort_key(value),
                percent(value),
            )
        )
    score = "—" if row.score is None else f"{row.score:.2f}"
    parts.append(
        format_html(
            '<{0} class="num score" data-value="{1}">{2}</{0}>', cell, _sort_key(row.score), score
        )
    )
    rank = "" if row.rank is None else str(row.rank)
    parts.append(
        format_html('<{0} class="num" data-value="{1}">{2}</{0}>', cell, rank, rank or "—")
    )
    cells = format_html_join("", "{}", ((p,) for p in parts))
    return format_html('<tr class="total">{}</tr>' if total else "<tr>{}</tr>", cells)


class EvaluationExportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The period's bulletin as an Excel workbook: one sheet per dimension."""

    permission_required = "cases.view_case"

    def get(self, request, *args, **kwargs):
        period, _valid = periods.parse_period(request.GET)
        workbook = bulletin.bulletin(period, request.user)
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        stamp = date_format(timezone.localdate(), "Ymd")
        name = f"{_('Case evaluation')}-{period.slug}-{stamp}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
