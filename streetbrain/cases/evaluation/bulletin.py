"""The quarterly bulletin (通报) as an Excel workbook: one sheet per dimension, units ×
indicators with a total row and the rank, then the formulas and definitions as notes.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from streetbrain.core.models import OrgUnit

from .definitions import BULLETIN_RATES, INDICATORS, definitions, formulas, weights
from .periods import Period
from .scores import Table, dimensions_for, indicators
from .stats import last_refreshed


def bulletin_unit_name(user) -> str:
    """Whose bulletin it is: the user's department, or their org unit (the street for a
    superuser without one)."""
    if getattr(user, "department_id", None) and not user.is_superuser:
        return user.department.name
    unit = OrgUnit.home_of(user)
    return unit.name if unit is not None else ""


def bulletin_title(period: Period, user) -> str:
    return _("%(unit)s digital city management case evaluation bulletin (%(period)s)") % {
        "unit": bulletin_unit_name(user),
        "period": period.label,
    }


def bulletin(period: Period, user):
    """The bulletin of ``period`` in ``user``'s scope as an openpyxl workbook: a title, the
    period, units × indicators with percentages as percent cells, a total row, the rank, and
    the formulas; one sheet per dimension (grid cells, communities, departments, roles)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    as_of = last_refreshed()
    title = bulletin_title(period, user)
    subtitle = _("Period: %(start)s to %(end)s") % {
        "start": period.start_date.isoformat(),
        "end": period.end_date.isoformat(),
    }
    if as_of is not None:
        subtitle += "    " + _("Data as of %(time)s") % {
            "time": f"{timezone.localtime(as_of):%Y-%m-%d %H:%M}"
        }
    sheet_names = {
        "street": _("Streets"),
        "grid": _("Grid cells"),
        "community": _("Communities"),
        "department": _("Departments"),
        "role": _("Roles"),
    }
    for dimension in dimensions_for(user):
        sheet = workbook.create_sheet(_sheet_title(sheet_names[dimension]))
        tables = indicators(period.first, period.last, dimension, user)
        _write_sheet(sheet, title, subtitle, tables)
    return workbook


def _labels(keys) -> set[str]:
    return {str(INDICATORS[k].label) for k in keys}


def _sheet_title(name: str) -> str:
    for char in "[]:*?/\\":
        name = name.replace(char, " ")
    return name[:31]


def _write_sheet(sheet, title: str, subtitle: str, tables: list[Table]) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DCE6F1")
    total_fill = PatternFill("solid", fgColor="F2F2F2")
    dimension = tables[0].dimension
    staff = dimension == "role"

    def rate_keys(table: Table) -> tuple[str, ...]:
        return table.rate_keys if staff else BULLETIN_RATES

    width = max((1 if staff else 0) + 1 + len(t.count_keys) + len(rate_keys(t)) + 2 for t in tables)

    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=16)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=subtitle).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    line = 4
    for table in tables:
        if staff:
            sheet.cell(row=line, column=1, value=table.title).font = Font(bold=True, size=12)
            line += 1
        headers = [_("Name") if staff else _("Unit")]
        if staff:
            headers.append(_("Unit or department"))
        headers += [label for _k, label in table.count_columns]
        headers += [str(INDICATORS[k].label) for k in rate_keys(table)]
        headers += [_("Composite score (综合指标值)"), _("Rank")]
        for column, text in enumerate(headers, start=1):
            cell = sheet.cell(row=line, column=column, value=text)
            cell.font, cell.fill, cell.border = Font(bold=True), head_fill, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.row_dimensions[line].height = 45
        if line == 4:
            sheet.freeze_panes = sheet.cell(row=5, column=2)
        line += 1
        for row in [*table.rows, table.total]:
            is_total = row is table.total
            values: list = [row.name]
            if staff:
                values.append(row.detail)
            values += [row.counts[k] for k in table.count_keys]
            rates = [row.rates.get(k) for k in rate_keys(table)]
            values += rates
            values += [row.score, row.rank]
            first_rate = len(values) - len(rates) - 2 + 1
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=line, column=column, value=value)
                cell.border = border
                if first_rate <= column < first_rate + len(rates):
                    cell.number_format = "0.00%"
                elif column == first_rate + len(rates):
                    cell.number_format = "0.00"
                if is_total:
                    cell.font, cell.fill = Font(bold=True), total_fill
            line += 1
        line += 1
    # Notes: the formulas and the definitions, as a bulletin states them.
    sheet.cell(row=line, column=1, value=_("Notes")).font = Font(bold=True)
    line += 1
    keys: list[str] = []
    for table in tables:
        for key in (*rate_keys(table), *weights()[table.kind]):
            if key not in keys:
                keys.append(key)
    notes = [
        f"{label} = {formula}" for label, formula in formulas(dimension) if label in _labels(keys)
    ]
    notes += [f"{term}: {text}" for term, text in definitions(dimension)]
    for number, text in enumerate(notes, start=1):
        cell = sheet.cell(row=line, column=1, value=f"{number}. {text}")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        sheet.row_dimensions[line].height = 15 * max(1, len(text) // 90 + 1)
        line += 1
    sheet.column_dimensions["A"].width = 22
    if staff:
        sheet.column_dimensions["B"].width = 18
    for column in range(3 if staff else 2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "4:4"
