"""The linkage's pages: sources with their link rates, loading a sheet, the review queue (two
records side by side with each field's contribution), conflicts, a resident's sources and
lineage, and the departments' outboxes. Every change goes through ``actions``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from streetbrain.core.generic import (
    Column,
    ObjectDetailView,
    ObjectListView,
    ObjectRevealView,
    ScopedObjectMixin,
    apply_errors,
)
from streetbrain.core.text import CheckedForm
from streetbrain.economy.models import Enterprise
from streetbrain.registry.models import House, Resident

from . import actions
from .models import Conflict, Decision, Department, FieldLineage, OutboxExport, Source, StagedRecord

FIELD_LABELS = {
    "prior": gettext_lazy("Prior (two records at random)"),
    "id_number": gettext_lazy("ID number"),
    "name": gettext_lazy("Name"),
    "birth_date": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"),
    "phone": gettext_lazy("Phone"),
    "address": gettext_lazy("Address"),
    "credit_code": gettext_lazy("Unified social credit code"),
    "ent_name": gettext_lazy("Enterprise name"),
}


class SourceListView(ObjectListView):
    model = Source
    title = gettext_lazy("Department sources")
    template_name = "linkage/source_list.html"
    columns = [
        Column("name", link=True),
        Column("department", order_by="department"),
        Column("kind"),
        Column("delivered_on", order_by="delivered_on"),
        Column("rows"),
        Column("linked"),
        Column("review"),
        Column("new"),
        Column("link_rate_text", gettext_lazy("link rate")),
    ]


class SourceDetailView(ObjectDetailView):
    model = Source
    fields = [
        Column("department"),
        Column("kind"),
        Column("delivered_on"),
        Column("file_name"),
        Column("rows"),
        Column("linked"),
        Column("review"),
        Column("new"),
        Column("link_rate_text", gettext_lazy("link rate")),
        Column("linked_at"),
    ]

    template_name = "linkage/source_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["thresholds"] = actions.thresholds(ctx["object"].org_unit, ctx["object"].kind)
        ctx["min_decisions"] = actions.MIN_DECISIONS
        ctx["min_each"] = actions.MIN_EACH
        return ctx

    def related_tables(self, obj):
        records = StagedRecord.objects.restrict(self.request.user).filter(source=obj)
        target = "enterprise" if obj.kind == "enterprises" else "resident"
        cols = ["row", "name", "state", "how", "probability", target]
        labels = [str(StagedRecord._meta.get_field(c).verbose_name) for c in cols]
        rows = [
            (
                r,
                [
                    getattr(r, f"get_{c}_display")() if c in ("state", "how") else getattr(r, c)
                    for c in cols
                ],
            )
            for r in records.select_related(target)[:200]
        ]
        return [{"title": _("Records (first 200)"), "columns": labels, "rows": rows}]


class SourceForm(CheckedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    department = forms.ChoiceField(label=gettext_lazy("Department"), choices=Department.choices)
    delivered_on = forms.DateField(label=gettext_lazy("Delivered on"))
    file = forms.FileField(
        label=gettext_lazy("Sheet (CSV or XLSX)"),
        help_text=gettext_lazy(
            "A header row with the usual names: 姓名, 身份证号码, 联系电话, 住址, 出生日期 …"
        ),
    )


class SourceLoadView(ScopedObjectMixin, TemplateView):
    model = Source
    action = "add"
    template_name = "linkage/source_load.html"

    def get(self, request, *args, **kwargs):
        form = SourceForm(initial={"delivered_on": timezone.localdate()})
        return self.render_to_response({"form": form, "title": _("Load a department's sheet")})

    def post(self, request, *args, **kwargs):
        form = SourceForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                source = actions.load_source(
                    d["file"],
                    name=d["name"],
                    department=d["department"],
                    delivered_on=d["delivered_on"],
                    user=request.user,
                    file_name=d["file"].name,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(rows)s rows loaded: %(linked)s linked, %(review)s to review, %(new)s new.")
                    % {
                        "rows": source.rows,
                        "linked": source.linked,
                        "review": source.review,
                        "new": source.new,
                    },
                )
                return redirect(source.get_absolute_url())
        ctx = {"form": form, "title": _("Load a department's sheet")}
        return self.render_to_response(ctx, status=400)


class ReviewQueueView(ObjectListView):
    model = StagedRecord
    title = gettext_lazy("Review queue")
    select_related = ("source", "resident", "enterprise")
    default_order = ("-probability", "pk")
    columns = [
        Column("name", link=True),
        Column("source"),
        Column("row"),
        Column("resident"),
        Column("enterprise"),
        Column("probability", order_by="probability"),
    ]

    def get_queryset(self):
        return super().get_queryset().filter(state=StagedRecord.State.REVIEW)


class RecordDetailView(ObjectDetailView):
    model = StagedRecord
    template_name = "linkage/record_detail.html"
    select_related = ("source", "resident__house__building", "house__building", "enterprise")
    fields = [
        Column("source"),
        Column("row"),
        Column("state"),
        Column("how"),
        Column("probability"),
    ]

    def visible(self, model, obj):
        """``obj`` when the user may see it (a registry row outside their area is not shown)."""
        if obj is None or not model.objects.restrict(self.request.user).filter(pk=obj.pk).exists():
            return None
        return obj

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rec = ctx["object"]
        resident = self.visible(Resident, rec.resident)
        house = self.visible(House, rec.house)
        side = []
        for header, value in rec.values.items():
            side.append((header, value))
        weights = rec.weights or {}
        top = max([abs(v) for v in weights.values()] + [1.0])
        running = 0.0
        bars = []
        for key, value in weights.items():
            running += value
            bars.append(
                {
                    "label": FIELD_LABELS.get(key, key),
                    "value": value,
                    "width": round(abs(value) / top * 100),
                    "positive": value >= 0,
                    "running": running,
                }
            )
        ctx.update(
            sheet_values=side,
            resident=resident,
            resident_address=actions.house_address(resident.house) if resident else "",
            enterprise=self.visible(Enterprise, rec.enterprise),
            is_enterprise=rec.source.kind == "enterprises",
            house=house,
            house_address=actions.house_address(house) if house else "",
            bars=bars,
            may_decide=rec.state == StagedRecord.State.REVIEW
            and self.request.user.has_perm("linkage.add_decision"),
        )
        return ctx


class RecordRevealView(ObjectRevealView):
    model = StagedRecord


class DecideView(ScopedObjectMixin, View):
    model = Decision
    action = "add"

    def post(self, request, pk):
        rec = get_object_or_404(StagedRecord.objects.restrict(request.user), pk=pk)
        try:
            actions.decide(rec, request.POST.get("outcome", ""), user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(rec.get_absolute_url())
        messages.success(request, _("Decision kept: this pair will not be asked again."))
        nxt = (
            StagedRecord.objects.restrict(request.user)
            .filter(state=StagedRecord.State.REVIEW)
            .order_by("-probability", "pk")
            .first()
        )
        return redirect(nxt.get_absolute_url() if nxt else reverse("linkage:review"))


class ConflictListView(ObjectListView):
    model = Conflict
    select_related = ("resident", "record__source")
    columns = [
        Column("resident", link=True),
        Column("field"),
        Column("registry_value"),
        Column("source_value"),
        Column("record.source", gettext_lazy("source")),
        Column("state", order_by="state"),
    ]

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.GET.get("state", "open")
        return qs.filter(state=state) if state in Conflict.State.values else qs


class ConflictDetailView(ObjectDetailView):
    model = Conflict
    template_name = "linkage/conflict_detail.html"
    select_related = ("resident", "record__source")
    fields = [
        Column("resident"),
        Column("field"),
        Column("registry_value"),
        Column("source_value"),
        Column("record.source", gettext_lazy("source")),
        Column("state"),
        Column("resolved_at"),
        Column("note"),
    ]


class ResolveForm(CheckedForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class ResolveView(ScopedObjectMixin, View):
    model = Conflict
    action = "change"

    def post(self, request, pk):
        conflict = get_object_or_404(Conflict.objects.restrict(request.user, "change"), pk=pk)
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The note cannot be used."))
            return redirect(conflict.get_absolute_url())
        try:
            actions.resolve_conflict(
                conflict,
                adopt=request.POST.get("choice") == "adopt",
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect(conflict.get_absolute_url())
        messages.success(request, _("Conflict resolved."))
        return redirect(reverse("linkage:conflict_list"))


class ResidentLineageView(ObjectDetailView):
    """A resident's sources and lineage: which department's records are linked to them, which
    field each confirmed or disputed, and the open conflicts."""

    model = Resident
    template_name = "linkage/resident_lineage.html"
    fields = [Column("name"), Column("birth_date"), Column("house")]

    def check_permission(self):
        super().check_permission()
        if not self.request.user.has_perm("linkage.view_stagedrecord"):
            raise PermissionDenied(_("You do not have permission to do this."))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        resident = ctx["object"]
        user = self.request.user
        ctx.update(
            records=StagedRecord.objects.restrict(user)
            .filter(resident=resident, state=StagedRecord.State.LINKED)
            .select_related("source"),
            lineage=FieldLineage.objects.restrict(user)
            .filter(resident=resident)
            .select_related("source"),
            conflicts=Conflict.objects.restrict(user)
            .filter(resident=resident)
            .select_related("record__source"),
            title=_("Sources and lineage: %(name)s") % {"name": resident.name},
        )
        return ctx


class OutboxListView(ScopedObjectMixin, TemplateView):
    model = OutboxExport
    template_name = "linkage/outbox_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        departments = sorted(
            set(Source.objects.restrict(user).values_list("department", flat=True))
        )
        rows = []
        for code in departments:
            pending = actions.outbox(code, user)
            last = OutboxExport.objects.restrict(user).filter(department=code).first()
            rows.append((code, Department(code).label, len(pending), last))
        return {"rows": rows, "title": _("Department outboxes")}


class OutboxDetailView(ScopedObjectMixin, TemplateView):
    model = OutboxExport
    template_name = "linkage/outbox_detail.html"

    def get_context_data(self, **kwargs):
        code = kwargs["department"]
        if code not in Department.values:
            raise Http404
        pending = actions.outbox(code, self.request.user)
        return {
            "department": code,
            "department_label": Department(code).label,
            "rows": [
                (r.resident, r.name, r.summary(), max(t for _f, t, _e in r.changes), r.left)
                for r in pending
            ],
            "may_export": self.request.user.has_perm("linkage.add_outboxexport"),
            "title": _("Outbox: %(department)s") % {"department": Department(code).label},
        }


class OutboxExportView(ScopedObjectMixin, View):
    model = OutboxExport
    action = "add"

    def post(self, request, department):
        if department not in Department.values:
            raise Http404
        try:
            data, _n = actions.export_outbox(department, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("linkage:outbox_list"))
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"outbox-{department}-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
