"""Staff pages of the case engine: the case list (filters, quick tabs, Excel export), a case's
page (clock, class, place, reports, duplicates, photos, timeline, change log) with one form
per workflow action, and notifications.

Every page reads through ``restrict(user, …)``; every change goes through ``actions``.
"""

from __future__ import annotations

import datetime as dt
import io
import mimetypes

import django_filters
from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, Value, When
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import TemplateView

from streetbrain.core import dataio
from streetbrain.core.filtersets import refused_filters
from streetbrain.core.generic import (
    ObjectDetailView,
    ObjectListView,
    ObjectRevealView,
    StepView,
    apply_errors,
)
from streetbrain.core.roles import role_label

from .. import filtersets, tables
from ..intake import duplicates
from ..models import (
    OPEN_STATES,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Notification,
    Report,
    State,
    TimeUnit,
)
from . import actions, forms
from .clock import clock_of

CASE_RELATED = ("org_unit", "community", "component_class", "department")
EXPORT_MAX_ROWS = 100_000


# -- the list's filters ---------------------------------------------------------------------


def overdue_q() -> Q:
    """Open cases whose light is red (the filter set's ``overdue``, the figure's too)."""
    return Q(light=Case.Light.RED, state__in=OPEN_STATES)


class SingleSelectMultiple(django_forms.Select):
    """A one-line select for a multiple-choice filter (it reads every value given)."""

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else [data.get(name)]
        return [v for v in values if v]


class CasePageFilterSet(filtersets.CaseFilterSet):
    """The shared case filters plus quick periods for the page."""

    PERIODS = [
        ("today", gettext_lazy("Today")),
        ("7d", gettext_lazy("Last 7 days")),
        ("30d", gettext_lazy("Last 30 days")),
    ]
    period = django_filters.ChoiceFilter(
        choices=PERIODS, method="filter_period", label=gettext_lazy("period")
    )

    # Filters the page's form shows only when a link set them (evaluation, figures).
    SECONDARY = ("major", "community", "placed")

    class Meta(filtersets.CaseFilterSet.Meta):
        fields = [*filtersets.CaseFilterSet.Meta.fields, "period"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One state at a time in a plain select (the filter still takes several in a link).
        state = self.filters["state"].field
        state.widget = SingleSelectMultiple()
        state.choices = [("", "———"), *State.choices]  # "" is dropped when read
        for sub in self.filters["reported_at"].field.widget.widgets:
            sub.input_type = "date"
        self.filters["component_class"].queryset = self.filters[
            "component_class"
        ].queryset.order_by("kind", "code")
        self.filters["org_unit"].queryset = self.filters["org_unit"].queryset.filter(
            level__in=("street", "community", "grid")
        )

    def page_fields(self):
        """The form's fields for the page: the secondary ones only when they have a value."""
        form = self.form
        return [f for f in form if f.name not in self.SECONDARY or self.data.get(f.name)]

    def filter_period(self, queryset, name, value):
        days = {"today": 0, "7d": 6, "30d": 29}.get(value)
        if days is None:
            return queryset
        start = timezone.localdate() - dt.timedelta(days=days)
        return queryset.filter(reported_at__date__gte=start)


# -- quick tabs -----------------------------------------------------------------------------


def my_work_q(user) -> Q | None:
    """Cases on which ``user`` has a next step to take: the states from which a forward
    transition (``style == "primary"``: verify, accept, register, dispatch, start, complete,
    check, close, approve …) that the user's roles permit starts. Derived from the declared
    transitions in one query, not from per-case checks; the list's scope does the rest.
    Side steps (notes, voiding, reopening, suspending) do not make a case "mine"."""
    cond = None
    for t in actions.TRANSITIONS.values():
        if t.style != "primary" or not user.has_perm(t.permission):
            continue
        q = Q(state__in=sorted(t.sources))
        if t.pending is not None:
            q &= Q(pending_request=t.pending)
        cond = q if cond is None else cond | q
    return cond


TABS = [
    ("mine", gettext_lazy("For me")),  # 待我处理
    ("verifying", gettext_lazy("To verify")),  # 待核实
    ("registering", gettext_lazy("To register")),  # 待立案
    ("dispatching", gettext_lazy("To dispatch")),  # 待派遣
    ("handling", gettext_lazy("Being handled")),  # 处置中
    ("overdue", gettext_lazy("Overdue")),  # 超期
    ("closed", pgettext_lazy("case state", "Closed")),  # 已结案
]


def apply_tab(queryset, tab: str, user):
    if tab == "mine":
        cond = my_work_q(user)
        return queryset.filter(cond) if cond is not None else queryset.none()
    states = {
        "verifying": [State.VERIFYING],
        "registering": [State.REPORTED, State.ACCEPTED],
        "dispatching": [State.REGISTERED],
        "handling": [State.DISPATCHED, State.HANDLING, State.SUSPENDED],
        "closed": [State.CLOSED],
    }
    if tab in states:
        return queryset.filter(state__in=states[tab])
    if tab == "overdue":
        return queryset.filter(overdue_q())
    return queryset


class CaseQueryMixin:
    """The list's rows: scope, quick tab, filters (shared by the page and its export)."""

    def current_tab(self) -> str:
        tab = self.request.GET.get("tab", "")
        return tab if tab in dict(TABS) else ""

    def case_queryset(self):
        user = self.request.user
        qs = Case.objects.restrict(user, "view").select_related(*CASE_RELATED)
        return apply_tab(qs, self.current_tab(), user)


# -- the case list --------------------------------------------------------------------------


class CaseListView(CaseQueryMixin, ObjectListView):
    model = Case
    template_name = "cases/case_list.html"
    columns = tables.CASE_COLUMNS
    filterset_class = CasePageFilterSet
    default_order = ("-reported_at", "-pk")
    title = gettext_lazy("Cases")

    def get_queryset(self):
        return self.case_queryset()

    def ordered_parts(self, qs, sort):
        """Sorted by deadline from a first day of report (a year's cases by the nearest
        deadline): read as three parts — the few cases whose deadline fell before their
        report (a partial index holds them), the deadlines from that first day on (along the
        deadline index from it: a case's deadline otherwise comes after its report, so the
        older cases — 900,000 of a district's for a year — are not walked), and those without
        a deadline (where the database sorts NULLs: last on PostgreSQL, first on SQLite)."""
        period = self.filterset.form.cleaned_data.get("reported_at") if self.filterset else None
        first = getattr(period, "start", None)
        if sort != "deadline" or first is None or self.filterset.errors:
            return None
        order = ("deadline", "pk")
        parts = [
            # ``deadline < reported_at`` is implied here; said, it lets the partial index in.
            qs.filter(Q(deadline__lt=first), Q(deadline__lt=F("reported_at"))).order_by(*order),
            qs.filter(deadline__gte=first).order_by(*order),
        ]
        undated = qs.filter(deadline__isnull=True).order_by("pk")
        if connections[qs.db].features.nulls_order_largest:
            return [*parts, undated]
        return [undated, *parts]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.copy()
        for key in ("page", "tab"):
            query.pop(key, None)
        mine = my_work_q(user)
        ctx.update(
            tabs=TABS,
            tab=self.current_tab(),
            tab_query=query.urlencode(),
            mine_count=(
                Case.objects.restrict(user, "view").filter(mine).count() if mine is not None else 0
            ),
            can_report=user.has_perm("cases.add_case"),
            now=timezone.now(),
        )
        return ctx


class CaseExportView(CaseQueryMixin, LoginRequiredMixin, View):
    """The list's rows (scope, tab, filters, sort) as an Excel file with Chinese headers."""

    filterset_class = CasePageFilterSet  # the list's

    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("cases.view_case"):
            raise PermissionDenied(_("You do not have permission to do this."))
        qs = self.case_queryset()
        filterset = self.filterset_class(request.GET, queryset=qs, request=request)
        if not filterset.is_valid():
            return refused_filters(filterset)
        qs = filterset.qs
        sortable = {c.order_by for c in tables.CASE_COLUMNS if c.order_by}
        sort = request.GET.get("sort", "")
        qs = (
            qs.order_by(sort, "pk")
            if sort.lstrip("-") in sortable
            else qs.order_by("-reported_at", "-pk")
        )
        if request.GET.get("format") == "csv":
            # Streamed, any number of rows: the first leave at once, memory stays flat.
            response = StreamingHttpResponse(
                dataio.stream_csv(case_csv_rows(qs)), content_type=dataio.CONTENT_TYPES["csv"]
            )
            filename = f"案件-{timezone.localdate():%Y%m%d}.csv"
            response["Content-Disposition"] = content_disposition_header(True, filename)
            response["Cache-Control"] = "no-store"
            return response
        data = write_cases_xlsx(qs[:EXPORT_MAX_ROWS])
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"案件-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response


def case_csv_rows(queryset):
    """The export's header and rows as cells for CSV (times local, to the minute), in
    Chinese like the workbook."""
    with translation.override("zh-hans"):
        yield [header for header, _value in tables.EXPORT_COLUMNS]
        for case in queryset.iterator(chunk_size=1000):
            row = []
            for _header, value in tables.EXPORT_COLUMNS:
                v = value(case)
                if isinstance(v, dt.datetime):
                    v = f"{timezone.localtime(v):%Y-%m-%d %H:%M}"
                row.append(v)
            yield row


def write_cases_xlsx(queryset) -> bytes:
    """One sheet, a bold header row, text cells kept as text (case numbers stay digits)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="案件")
    ws.freeze_panes = "A2"
    widths = {"案件编号": 18, "标题": 30, "问题描述": 40, "地址": 30}
    for i, (header, _value) in enumerate(tables.EXPORT_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(header, 14)
    bold = Font(bold=True)
    header_row = []
    for header, _value in tables.EXPORT_COLUMNS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_row.append(cell)
    ws.append(header_row)
    # Labels (state, channel, unit) in Chinese, like the headers, whatever the page language.
    with translation.override("zh-hans"):
        for case in queryset.iterator(chunk_size=1000):
            row = []
            for _header, value in tables.EXPORT_COLUMNS:
                v = value(case)
                if isinstance(v, dt.datetime):
                    cell = WriteOnlyCell(ws, value=timezone.localtime(v).replace(tzinfo=None))
                    cell.number_format = "yyyy-mm-dd hh:mm"
                    row.append(cell)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    row.append(v)
                elif v in (None, ""):
                    row.append(None)
                else:
                    cell = WriteOnlyCell(ws, value=str(v))
                    cell.data_type = "s"  # never a formula, whatever it starts with
                    row.append(cell)
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- a case's page --------------------------------------------------------------------------


def _feature(geometry, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


class CaseDetailView(ObjectDetailView):
    model = Case
    template_name = "cases/case_detail.html"
    select_related = (
        *CASE_RELATED,
        "org_unit__parent",
        "suggested_department",
        "time_limit",
        "building",
        "facility",
        "shop",
        "sensor",
    )

    def type_label(self, obj) -> str:
        return _("Case")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case, user = ctx["object"], self.request.user
        now = timezone.now()
        may_correct = user.has_perm("cases.accept_case") or user.has_perm("cases.register_case")
        reports = list(
            Report.objects.restrict(user, "view")
            .filter(case=case)
            .select_related("requested_class", "user")
            .order_by("received_at", "pk")
        )
        attachments = list(Attachment.objects.filter(case=case).order_by("pk"))
        by_report, by_event = {}, {}
        for a in attachments:
            if a.report_id:
                by_report.setdefault(a.report_id, []).append(a)
            if a.event_id:
                by_event.setdefault(a.event_id, []).append(a)
        may_reveal = user.has_perm(Report.reveal_permission)
        split_errors = kwargs.get("split_errors", {})
        for r in reports:
            r.photos = by_report.get(r.pk, [])
            r.split_errors = split_errors.get(r.pk, [])
            r.can_reveal = may_reveal and bool(r.phone_masked)
            r.can_split = may_correct and not r.is_primary and case.is_open
        events = list(
            CaseEvent.objects.restrict(user, "view")
            .filter(case=case)
            .select_related("department")
            .order_by("time", "pk")
        )
        for e in events:
            e.photos = by_event.get(e.pk, [])
            e.role_label = role_label(e.role) if e.role else ""
            e.detail = event_detail(e)
            e.who = e.actor_name or _who_without_name(e)
        primary = next((r for r in reports if r.is_primary), reports[0] if reports else None)
        explanation = []
        if primary is not None and primary.explanation:
            top = max((abs(float(w)) for _word, w in primary.explanation), default=1.0) or 1.0
            explanation = [
                {"word": word, "weight": float(w), "share": round(100 * abs(float(w)) / top)}
                for word, w in primary.explanation
            ]
        candidates = []
        if case.is_open:
            found = duplicates.duplicate_candidates(case)
            visible = set(
                Case.objects.restrict(user, "view")
                .filter(pk__in=[m.case.pk for m in found])
                .values_list("pk", flat=True)
            )
            candidates = [m for m in found if m.case.pk in visible]
        clock = clock_of(case, now)
        transitions = actions.available(case, user)
        features = []
        if case.org_unit.geometry:
            features.append(_feature(case.org_unit.geometry, role="area", name=case.org_unit.name))
        if case.lon is not None and case.lat is not None:
            features.append(
                _feature(
                    {"type": "Point", "coordinates": [case.lon, case.lat]},
                    role="case",
                    name=case.number,
                )
            )
        used = round(100 * clock.used) if clock.used is not None else None
        units = dict(TimeUnit.choices)
        ctx.update(
            title=f"{case.number} {case.title}",
            case=case,
            clock=clock,
            used_percent=used,
            used_bar=min(max(used or 0, 0), 100),
            light_label=dict(Case.Light.choices).get(clock.light, ""),
            limit_text=_amount(case.limit_amount, units.get(case.limit_unit, case.limit_unit)),
            extensions_text=[(f"{float(a):g}", units.get(u, u)) for a, u in clock.extensions],
            pending_unit=units.get((case.pending_request_data or {}).get("unit"), ""),
            confidence_percent=_percent(case.class_confidence),
            predicted_percent=_percent(primary.predicted_confidence if primary else None),
            transitions=transitions,
            reports=reports,
            primary=primary,
            explanation=explanation,
            candidates=candidates,
            attachments=attachments,
            events=events,
            may_correct=may_correct and case.is_open,
            reclassify_form=kwargs.get("reclassify_form")
            or forms.ReclassifyForm(initial={"component_class": case.component_class_id}),
            place_form=kwargs.get("place_form") or forms.PlaceForm(),
            geojson={"type": "FeatureCollection", "features": features},
            links=self.links(case),
            can_see_changelog=user.has_perm("core.view_changelogentry"),
            pending=case.pending_request_data if case.pending_request else None,
        )
        return ctx

    def links(self, case) -> list[dict]:
        """The registry objects the case is about, linked where the user may open them."""
        user = self.request.user
        out = []
        for obj, permission in (
            (case.building, "registry.view_building"),
            (case.facility, "registry.view_facility"),
            (case.shop, "registry.view_shop"),
        ):
            if obj is None:
                continue
            visible = user.has_perm(permission) and (
                type(obj).objects.restrict(user, "view").filter(pk=obj.pk).exists()
            )
            out.append(
                {
                    "label": type(obj)._meta.verbose_name,
                    "text": str(obj),
                    "url": obj.get_absolute_url() if visible else "",
                }
            )
        return out


def _who_without_name(event: CaseEvent) -> str:
    """An anonymous report shows its channel; a step nobody took, the system (the clock)."""
    channel = (event.data or {}).get("channel")
    if event.action in (CaseEvent.Action.REPORT, CaseEvent.Action.MERGE) and channel:
        return str(dict(Channel.choices).get(channel, channel))
    return _("system")


def _percent(value) -> int | None:
    return None if value is None else round(100 * float(value))


def _amount(amount, unit: str) -> str:
    return "" if amount is None else f"{float(amount):g} {unit}"


def event_detail(event: CaseEvent) -> str:
    """What a timeline step's data says, in one line (who and the note are shown apart)."""
    d, A = event.data or {}, CaseEvent.Action
    units = dict(TimeUnit.choices)
    parts = []
    if event.action == A.MERGE and "similarity" in d:
        parts.append(
            _("similar text %(s).0f%%, %(m).0f m from the case")
            % {"s": 100 * float(d["similarity"]), "m": float(d.get("distance_m") or 0)}
        )
    if d.get("new_case"):
        parts.append(_("new case %(number)s") % {"number": d["new_case"]})
    if d.get("split_from"):
        parts.append(_("split from case %(number)s") % {"number": d["split_from"]})
    if event.action in (A.CLASSIFY, A.PLACE, A.REROUTE) and ("from" in d or "to" in d):
        parts.append(f"{d.get('from') or '—'} → {d.get('to') or '—'}")
    if event.action == A.REPORT and d.get("class"):
        conf = d.get("confidence")
        parts.append(
            _("class %(cls)s") % {"cls": d["class"]}
            + (f" ({100 * float(conf):.0f}%)" if conf is not None else "")
        )
    if "amount" in d:
        parts.append(f"{d['amount']} {units.get(d.get('unit'), d.get('unit') or '')}")
    if d.get("deadline"):
        deadline = dt.datetime.fromisoformat(d["deadline"])
        parts.append(
            _("deadline %(time)s") % {"time": f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}"}
        )
    if event.action == A.HANDLED and d.get("light"):
        parts.append(str(dict(Case.Light.choices).get(d["light"], "")))
    if event.action == A.CLOSE and d.get("on_time") is not None:
        parts.append(_("closed on time") if d["on_time"] else _("closed late"))
    if event.action == A.VERIFY and d.get("true") is False:
        parts.append(_("not true on site"))
    return " · ".join(p for p in parts if p)


class CaseCorrectionView(CaseDetailView):
    """POST-only staff corrections rendered on the case's page when they fail."""

    http_method_names = ["post"]

    def check_correction_permission(self):
        user = self.request.user
        if not (user.has_perm("cases.accept_case") or user.has_perm("cases.register_case")):
            raise PermissionDenied(_("Your role may not do this."))

    def failed(self, **forms_with_errors):
        return self.render_to_response(self.get_context_data(**forms_with_errors), status=400)


class CaseReclassifyView(CaseCorrectionView):
    def post(self, request, *args, **kwargs):
        case = self.get_object()
        self.check_correction_permission()
        form = forms.ReclassifyForm(request.POST)
        if form.is_valid():
            try:
                actions.reclassify(
                    case.pk,
                    form.cleaned_data["component_class"],
                    request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Class set to “%(cls)s”; the time limit and routing follow it.")
                    % {"cls": form.cleaned_data["component_class"]},
                )
                return HttpResponseRedirect(case.get_absolute_url())
        return self.failed(reclassify_form=form)


class CasePlaceView(CaseCorrectionView):
    def post(self, request, *args, **kwargs):
        case = self.get_object()
        self.check_correction_permission()
        form = forms.PlaceForm(request.POST)
        if form.is_valid():
            try:
                case = actions.place_case(
                    case.pk,
                    request.user,
                    lon=form.cleaned_data["lon"],
                    lat=form.cleaned_data["lat"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc, {"location": "lon"})
            else:
                messages.success(request, _("Placed in %(grid)s.") % {"grid": case.org_unit.name})
                return HttpResponseRedirect(case.get_absolute_url())
        return self.failed(place_form=form)


class ReportSplitView(CaseCorrectionView):
    """Undo a wrong merge: the report opens a case of its own."""

    def get_object(self):
        self.report = get_object_or_404(
            Report.objects.restrict(self.request.user, "view"), pk=self.kwargs["report"]
        )
        self.kwargs["pk"] = self.report.case_id
        return super().get_object()

    def post(self, request, *args, **kwargs):
        case = self.get_object()
        self.check_correction_permission()
        form = forms.SplitForm(request.POST)
        if form.is_valid():
            try:
                new = actions.split_report(
                    self.report, request.user, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _("The report now has a case of its own: %(number)s.") % {"number": new.number},
                )
                visible = Case.objects.restrict(request.user, "view").filter(pk=new.pk).exists()
                return HttpResponseRedirect(
                    new.get_absolute_url() if visible else case.get_absolute_url()
                )
        else:
            errors = [e for errs in form.errors.values() for e in errs]
        return self.failed(split_errors={self.report.pk: errors})


class ReportRevealView(ObjectRevealView):
    model = Report


class AttachmentView(LoginRequiredMixin, View):
    """A case's photo, served only to users who may see the case (never a public MEDIA URL)."""

    INLINE = {"image/jpeg", "image/png", "image/webp", "image/gif"}

    def get(self, request, pk):
        visible = Case.objects.restrict(request.user, "view").values("pk")
        attachment = get_object_or_404(Attachment, pk=pk, case_id__in=visible)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404(_("The file is missing.")) from None
        content_type = attachment.content_type or mimetypes.guess_type(attachment.file.name)[0]
        inline = content_type in self.INLINE
        response = FileResponse(
            handle,
            content_type=content_type if inline else "application/octet-stream",
            as_attachment=not inline,
            filename=attachment.file.name.rsplit("/", 1)[-1],
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


# -- workflow actions -----------------------------------------------------------------------


class CaseActView(StepView):
    """One transition of a case (``actions.TRANSITIONS``) as the generic step view runs it:
    GET its form (an HTMX fragment, or a page without JavaScript); POST ``actions.perform``.
    A role without the transition's permission is a 403, a case out of scope a 404, invalid
    input the form again with its errors (nothing changed); a transition not possible in the
    case's state says so (409)."""

    model = Case
    scope_action = "view"  # the transition's own rules decide who may act on what they see
    select_related = CASE_RELATED
    fragment = "cases/_action_form.html"
    page = "cases/case_act.html"
    note_is_reason = False  # perform() keeps the note on the case's timeline
    error_aliases = {"photo": "photos"}

    def select_step(self, name):
        self.transition = actions.TRANSITIONS.get(name)
        if self.transition is None:
            raise Http404(_("Unknown action."))
        self.step, self.label = name, self.transition.label
        self.permission = self.transition.permission

    def make_form(self, data=None, files=None, initial=None):
        return forms.CaseActionForm(self.transition, self.object, self.request.user, data, files)

    def problem(self) -> str:
        if self.transition in actions.available(self.object, self.request.user):
            return ""
        return _("This action is not possible in the case's current state.")

    def action_url(self) -> str:
        return reverse("cases:case_act", args=[self.object.pk, self.step])

    def page_title(self) -> str:
        return f"{self.label}: {self.object.number}"

    def step_context(self) -> dict:
        return {"case": self.object, "transition": self.transition}

    def perform(self, form, user) -> None:
        actions.perform(self.object.pk, self.step, user, **form.perform_inputs())

    def done_url(self) -> str:
        visible = Case.objects.restrict(self.request.user, "view").filter(pk=self.object.pk)
        # A case handed over to another department leaves the user's scope: back to the list.
        return self.object.get_absolute_url() if visible.exists() else reverse("cases:index")


# -- notifications --------------------------------------------------------------------------


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "cases/notifications.html"
    paginate_by = 50

    def queryset(self):
        return Notification.objects.filter(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = (
            self.queryset()
            .select_related("case", "case__org_unit")
            .annotate(
                unread=When_(
                    When(read_at__isnull=True, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            )
            .order_by("-unread", "-created_at", "-pk")
        )
        page = Paginator(qs, self.paginate_by).get_page(self.request.GET.get("page"))
        ctx.update(
            title=_("Notifications"),
            page=page,
            unread_count=self.queryset().filter(read_at__isnull=True).count(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        """Mark one (``id``) or all notifications read."""
        qs = self.queryset().filter(read_at__isnull=True)
        if request.POST.get("all"):
            qs.update(read_at=timezone.now())
        else:
            try:
                pk = int(request.POST.get("id", ""))
            except ValueError:
                return HttpResponse(status=400)
            qs.filter(pk=pk).update(read_at=timezone.now())
        return HttpResponseRedirect(reverse("cases:notifications"))


class NotificationOpenView(LoginRequiredMixin, View):
    """Follow a notification: it is marked read and the case opens."""

    def get(self, request, pk):
        note = get_object_or_404(Notification, pk=pk, user=request.user)
        if note.read_at is None:
            Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())
        return HttpResponseRedirect(reverse("cases:case_detail", args=[note.case_id]))
