"""项目月报 / 周报: the key projects' report, computed from the rows when asked, never typed.

One builder gives the sections (a title, a few facts, tables of headers and rows); the views
write them as Excel (one sheet per table) or as PDF (``core.pdf``), so both files hold the
same figures. The *monthly* report is the year's lights with their reasons and every
indicator's target and actual, then the street's five indicators (target, raised target,
year to date, projection, gap). The *weekly* report (周报) adds what the week brought — the
seven days up to the day it is made: the projects' timelines (milestones reached, reports,
meetings, changes), the hard cases' steps, stage changes and escalations, the households
moved on per stage — and what falls due in the seven days after: milestones not reached and
follow-up items not done. Every row is read through ``restrict(user)``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from . import status
from .models import (
    FollowUp,
    HardCaseStep,
    HouseholdEvent,
    Milestone,
    Project,
    ProjectEvent,
    Stage,
    StreetIndicator,
)

PERIODS = ("month", "week")
WEEK = dt.timedelta(days=6)  # the day the report is made and the six before it


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    widths: list[float] | None = None
    empty: str = ""
    percent: tuple[int, ...] = ()  # columns holding a share (0..1), shown as % in the PDF


@dataclass
class Report:
    title: str
    period: str
    year: int
    today: dt.date
    facts: list[tuple[str, object]]
    tables: list[Table]

    def filename(self, ext: str) -> str:
        stamp = f"{self.today:%Y%m%d}" if self.period == "week" else f"{self.today:%Y%m}"
        return f"projects-{self.period}-{self.year}-{stamp}.{ext}"


def _lights() -> dict[str, str]:
    return {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")}


def build(user, year: int, today: dt.date, period: str = "month") -> Report:
    """The report of ``year``'s projects as ``user`` sees them on ``today``."""
    if period not in PERIODS:
        raise ValueError(period)
    projects = list(
        Project.objects.restrict(user)
        .filter(year=year)
        .select_related("leader", "office")
        .prefetch_related("milestones", "indicators__feeds", "sites")
    )
    lights = _lights()
    board = Table(
        _("Projects"),
        [
            _("Project"),
            _("Kind"),
            _("Lead leader"),
            _("Responsible office"),
            _("Light"),
            _("Reasons"),
            _("Indicator"),
            _("Target"),
            _("Actual"),
            _("Progress"),
        ],
        widths=[2.2, 1, 1, 1.2, 0.7, 3, 1.8, 1, 1, 0.8],
        empty=_("No projects this year."),
        percent=(9,),
    )
    counts = Counter()
    for p in projects:
        st = status.project_status(p, user, today)
        counts[st.light] += 1
        base = [
            p.name,
            p.get_kind_display(),
            str(p.leader),
            str(p.office or ""),
            lights[st.light],
            "；".join(st.reasons),
        ]
        if not st.indicators:
            board.rows.append([*base, "", None, None, None])
        for ind in st.indicators:
            board.rows.append(
                [
                    *base,
                    f"{ind.name}（{ind.unit}）" if ind.unit else ind.name,
                    ind.target,
                    ind.actual,
                    None if ind.progress is None else round(ind.progress, 4),
                ]
            )
            base = [""] * len(base)
    street = Table(
        _("Street indicators"),
        [
            _("Indicator"),
            _("Unit"),
            _("Target"),
            _("Raised target"),
            _("Month"),
            _("Year to date"),
            _("Projection to year end"),
            _("Gap"),
        ],
        empty=_("No street indicators."),
    )
    for ind in StreetIndicator.objects.restrict(user):
        s = status.street_status(ind, year, user, today)
        street.rows.append(
            [
                ind.name,
                ind.unit,
                s.target,
                s.raised_target,
                s.month.strftime("%Y-%m") if s.month else "",
                s.actual,
                s.projection,
                s.gap,
            ]
        )
    facts = [
        (_("Year"), str(year)),
        (_("As of"), today),
        *((lights[k], counts[k]) for k in ("green", "yellow", "red")),
    ]
    if period == "month":
        return Report(
            _("Monthly report of the key projects"),
            period,
            year,
            today,
            facts,
            [board, street],
        )
    first = today - WEEK
    facts.insert(1, (_("Week"), f"{first.isoformat()} – {today.isoformat()}"))
    tables = [board, *_week(user, projects, first, today), street]
    return Report(_("Weekly report of the key projects"), period, year, today, facts, tables)


def _week(user, projects, first: dt.date, last: dt.date) -> list[Table]:
    """What the week ``first``..``last`` brought to ``projects``, and what is due next."""
    ids = [p.pk for p in projects]
    done = Table(
        _("This week"),
        [_("Date"), _("Project"), _("What"), _("Note"), _("By")],
        widths=[1, 2, 1.4, 4, 1],
        empty=_("Nothing recorded this week."),
    )
    events = (
        ProjectEvent.objects.restrict(user)
        .filter(project_id__in=ids, at__date__gte=first, at__date__lte=last)
        .select_related("project", "user")
        .order_by("at", "pk")
    )
    rows = [
        (e.at.date(), e.project.name, e.get_action_display(), e.note, str(e.user or ""))
        for e in events
    ]
    steps = (
        HardCaseStep.objects.restrict(user)
        .filter(hard_case__plot__project_id__in=ids, on__gte=first, on__lte=last)
        .select_related("hard_case__plot__project", "user")
        .order_by("on", "pk")
    )
    rows += [
        (
            s.on,
            s.hard_case.plot.project.name,
            f"{s.get_kind_display()}：{s.hard_case.title}",
            s.note,
            str(s.user or ""),
        )
        for s in steps
    ]
    done.rows = [list(r) for r in sorted(rows, key=lambda r: r[0])]
    moved = Table(
        _("Households moved on this week"),
        [_("Project"), _("Stage"), _("Households")],
        widths=[2, 1.5, 1],
        empty=_("No household changed stage this week."),
    )
    per = Counter(
        HouseholdEvent.objects.restrict(user)
        .filter(household__plot__project_id__in=ids, on__gte=first, on__lte=last)
        .values_list("household__plot__project__name", "to_stage")
    )
    order = {s: i for i, s in enumerate(Stage.values)}
    for (name, stage), n in sorted(per.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        moved.rows.append([name, str(Stage(stage).label), n])
    due = Table(
        _("Due next week"),
        [_("Due"), _("Project"), _("What"), _("Who")],
        widths=[1, 2, 4, 1.4],
        empty=_("Nothing falls due next week."),
    )
    until = last + dt.timedelta(days=7)
    for m in (
        Milestone.objects.restrict(user)
        .filter(project_id__in=ids, done_on__isnull=True, planned_on__lte=until)
        .select_related("project__leader")
    ):
        late = _("(late)") if m.planned_on < last else ""
        due.rows.append(
            [
                m.planned_on,
                m.project.name,
                f"{_('Milestone')}：{m.name} {late}".strip(),
                str(m.project.leader),
            ]
        )
    for f in (
        FollowUp.objects.restrict(user)
        .filter(meeting__project_id__in=ids, done_on__isnull=True, due_on__lte=until)
        .select_related("meeting__project", "owner")
    ):
        late = _("(late)") if f.due_on < last else ""
        due.rows.append(
            [
                f.due_on,
                f.meeting.project.name,
                f"{_('Follow-up item')}：{f.item} {late}".strip(),
                str(f.owner),
            ]
        )
    due.rows.sort(key=lambda r: r[0])
    return [done, moved, due]


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def to_xlsx(report: Report) -> bytes:
    """The report as a workbook: one sheet per table, the facts above the first."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    bold = Font(bold=True)
    for i, table in enumerate(report.tables):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = table.title[:31]
        if i == 0:
            ws.append([report.title])
            ws.append([f"{label}：{_plain(value)}" for label, value in report.facts])
            ws.append([])
        ws.append(table.headers)
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in table.rows:
            ws.append([_plain(v) if isinstance(v, dt.date) else v for v in row])
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, 4 + width * 1.6)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_pdf(report: Report):
    """The report as a PDF (``core.pdf``: A4 landscape, Chinese set in the CID font)."""
    from streetbrain.core.pdf import PdfReport

    pdf = PdfReport(report.title, facts=report.facts, landscape=True)
    for table in report.tables:
        pdf.heading(table.title)
        rows = [
            [f"{v:.0%}" if j in table.percent and v is not None else v for j, v in enumerate(row)]
            for row in table.rows
        ]
        pdf.table(table.headers, rows, widths=table.widths, empty=table.empty)
    return pdf
