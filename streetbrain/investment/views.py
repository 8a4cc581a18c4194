"""Pages of 招商 (namespace ``investment``), under /investment/: the dashboard, the whitelist
(with each industry's factors, the weights, decisions, publication and the Excel export), the
leads (list, import, detail with its timeline, its steps and its space matches, the shortlist's
Excel) and the parks. Views read and call ``actions``; nothing is computed on a page view that
a task should compute (the whitelist is a stored computation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from streetbrain.core import dataio
from streetbrain.core.generic import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    StepView,
    apply_errors,
)
from streetbrain.core.pdf import PdfReport
from streetbrain.economy import actions as economy_actions
from streetbrain.economy.models import IndustryChain, OfficeBuilding, Unit

from . import actions, dashboard, forms, matching, tables, whitelist
from .dataio_specs import SHORTLIST, WHITELIST
from .filtersets import LeadFilterSet
from .models import (
    Factor,
    IndustryOverride,
    Lead,
    LeadEvent,
    Park,
    WhitelistEntry,
    WhitelistFactor,
    WhitelistRun,
)


class PermissionMixin(LoginRequiredMixin):
    permission = "investment.view_lead"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)


class DashboardView(PermissionMixin, TemplateView):
    """The funnel, conversion, days per stage, the pipeline, 去化 against the target."""

    template_name = "investment/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        data = dashboard.summary(self.request.user)
        top = None
        run = whitelist.published() or whitelist.latest_run()
        if run is not None and self.request.user.has_perm("investment.view_whitelistentry"):
            top = run.entries.filter(level=WhitelistEntry.Level.GROUP).exclude(
                decision=IndustryOverride.Kind.EXCLUDE
            )[:10]
        ctx.update(data, title=_("Investment promotion"), run=run, top=top)
        return ctx


# -- the whitelist ------------------------------------------------------------------------------


def _labels() -> dict[str, str]:
    return {k: str(label) for k, label in Factor.choices}


class WhitelistView(PermissionMixin, TemplateView):
    """A whitelist computation (the latest, or ``?run=``), one level at a time, each industry
    with its score's parts; the weights, decisions and computations beside it."""

    model = WhitelistRun
    permission = "investment.view_whitelistentry"
    template_name = "investment/whitelist.html"

    def get_run(self):
        pk = self.kwargs.get("pk") or self.request.GET.get("run")
        if pk:
            if not str(pk).isdigit():
                raise Http404
            return get_object_or_404(WhitelistRun.objects.restrict(self.request.user), pk=pk)
        return whitelist.latest_run()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = self.get_run()
        level = self.request.GET.get("level", WhitelistEntry.Level.GROUP)
        if level not in WhitelistEntry.Level.values:
            level = WhitelistEntry.Level.GROUP
        labels = _labels()
        entries = []
        if run is not None:
            for e in run.entries.filter(level=level).order_by("rank"):
                e.parts = [{**p, "label": labels.get(p["key"], p["key"])} for p in e.factors]
                entries.append(e)
        user = self.request.user
        ctx.update(
            title=_("Investment whitelist"),
            run=run,
            level=level,
            levels=WhitelistEntry.Level.choices,
            entries=entries,
            factor_labels=labels,
            weights=WhitelistFactor.objects.all(),
            decisions=IndustryOverride.objects.filter(lifted_at=None).order_by("code"),
            runs=WhitelistRun.objects.all()[:12],
            published=WhitelistRun.objects.exclude(version=None).order_by("-year", "-version")[:10],
            decision_form=forms.DecisionForm(),
            publish_form=forms.PublishForm(initial={"year": timezone.localdate().year}),
            can_compute=user.has_perm("investment.add_whitelistrun"),
            can_publish=user.has_perm("investment.publish_whitelistrun"),
            can_decide=user.has_perm("investment.add_industryoverride"),
            can_weigh=user.has_perm("investment.change_whitelistfactor"),
            chains=(
                IndustryChain.objects.restrict(user)
                if user.has_perm("economy.view_industrychain")
                else IndustryChain.objects.none()
            ),
            can_edit_chains=user.has_perm("economy.change_industrychain"),
        )
        return ctx


class WhitelistEntryView(PermissionMixin, TemplateView):
    """Why one industry ranks where it does: each factor's value, normalised value, weight and
    contribution, and the enterprises behind it."""

    model = WhitelistEntry
    permission = "investment.view_whitelistentry"
    template_name = "investment/whitelist_entry.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = get_object_or_404(
            WhitelistEntry.objects.restrict(self.request.user).select_related("run"),
            pk=self.kwargs["pk"],
        )
        labels = _labels()
        descriptions = dict(WhitelistFactor.objects.values_list("key", "description"))
        parts = [
            {**p, "label": labels.get(p["key"], p["key"]), "how": descriptions.get(p["key"], "")}
            for p in entry.factors
        ]
        peers = entry.run.entries.filter(level=entry.level).count()
        ctx.update(title=str(entry), entry=entry, parts=parts, peers=peers)
        return ctx


class WhitelistActionView(PermissionMixin, View):
    """POST: recompute, publish a computation, decide on an industry, lift a decision."""

    permission = "investment.view_whitelistentry"

    def post(self, request, name, pk=None):
        user = request.user
        back = reverse("investment:whitelist")
        try:
            if name == "recompute":
                run = actions.recompute_whitelist(user=user)
                messages.success(request, _("The whitelist was recomputed."))
                back = run.get_absolute_url()
            elif name == "publish":
                form = forms.PublishForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors)
                run = actions.publish_whitelist(
                    pk, year=form.cleaned_data["year"], note=form.cleaned_data["note"], user=user
                )
                messages.success(request, _("Published as %(v)s.") % {"v": run})
                back = run.get_absolute_url()
            elif name == "decide":
                form = forms.DecisionForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors)
                actions.decide_industry(
                    form.cleaned_data["code"],
                    form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    user=user,
                )
                messages.success(
                    request, _("Decision recorded; it applies from the next computation.")
                )
            elif name == "lift":
                override = get_object_or_404(IndustryOverride.objects.restrict(user), pk=pk)
                actions.lift_decision(override, reason=request.POST.get("reason", ""), user=user)
                messages.success(request, _("Decision lifted."))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(back)


class WeightEditView(PermissionMixin, TemplateView):
    model = WhitelistFactor
    permission = "investment.change_whitelistfactor"
    template_name = "investment/weight_edit.html"

    def get_factor(self):
        return get_object_or_404(
            WhitelistFactor.objects.restrict(self.request.user, "change"), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        factor = self.get_factor()
        form = forms.WeightForm(initial={"weight": factor.weight})
        return render(request, self.template_name, {"factor": factor, "form": form})

    def post(self, request, pk):
        factor = self.get_factor()
        form = forms.WeightForm(request.POST)
        if form.is_valid():
            try:
                actions.set_weight(
                    factor,
                    form.cleaned_data["weight"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Weight changed; recompute to apply it."))
                return HttpResponseRedirect(reverse("investment:whitelist"))
        return render(request, self.template_name, {"factor": factor, "form": form}, status=400)


class ChainEditView(PermissionMixin, TemplateView):
    """The classes an industrial chain (一楼一链, the economy's) lists, changed with a reason
    through ``economy.actions.set_chain_industries``: the whitelist's chain gap and the space
    matching read them."""

    model = IndustryChain
    permission = "economy.change_industrychain"
    template_name = "investment/chain_edit.html"

    def get_chain(self):
        return get_object_or_404(
            IndustryChain.objects.restrict(self.request.user, "change"), pk=self.kwargs["pk"]
        )

    def context(self, chain, form):
        towers = (
            OfficeBuilding.objects.restrict(self.request.user)
            .filter(chain=chain)
            .select_related("building")
            .order_by("building__code")
        )
        return {"chain": chain, "form": form, "towers": towers, "title": str(chain)}

    def get(self, request, pk):
        chain = self.get_chain()
        form = forms.ChainIndustriesForm(initial={"industries": chain.industries})
        return render(request, self.template_name, self.context(chain, form))

    def post(self, request, pk):
        chain = self.get_chain()
        form = forms.ChainIndustriesForm(request.POST)
        if form.is_valid():
            try:
                economy_actions.set_chain_industries(
                    chain,
                    form.cleaned_data["industries"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request, _("The chain's industries were changed; recompute to apply them.")
                )
                return HttpResponseRedirect(reverse("investment:whitelist") + "#chains")
        return render(request, self.template_name, self.context(chain, form), status=400)


class WhitelistExportView(PermissionMixin, View):
    """A computation (a published version) as Excel: rank, code, name, score, decision and
    each factor's value and contribution."""

    model = WhitelistRun
    permission = "investment.view_whitelistentry"

    def get(self, request, pk):
        run = get_object_or_404(WhitelistRun.objects.restrict(request.user), pk=pk)
        labels = _labels()
        extra = []
        for key in Factor.values:
            extra += [f"{labels[key]}", f"{labels[key]}（{_('contribution')}）"]
        rows = [WHITELIST.headers + extra]
        for e in run.entries.order_by("level", "rank"):
            parts = {p["key"]: p for p in e.factors}
            row = [
                e.rank,
                e.code,
                e.name,
                e.get_level_display(),
                e.score,
                e.enterprises,
                e.area_m2,
                e.get_decision_display(),
                e.decision_reason,
            ]
            for key in Factor.values:
                p = parts.get(key, {})
                row += [p.get("value"), p.get("contribution")]
            rows.append(row)
        data = dataio.write_xlsx(WHITELIST, rows)
        response = HttpResponse(data, content_type=dataio.CONTENT_TYPES["xlsx"])
        name = f"whitelist-{run.year}-v{run.version}" if run.version else f"whitelist-run-{run.pk}"
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response


# -- leads ---------------------------------------------------------------------------------------


class LeadListView(ObjectListView):
    model = Lead
    columns = tables.LEAD_COLUMNS
    filterset_class = LeadFilterSet
    select_related = ("industry", "owner")
    default_order = ("-opened_on", "-pk")


class LeadEditView(ObjectEditView):
    model = Lead
    form_class = forms.LeadForm

    def post(self, request, *args, **kwargs):
        if "pk" in self.kwargs:
            return super().post(request, *args, **kwargs)
        # A new lead is opened through the action: its timeline starts with it.
        if not request.user.has_perm("investment.add_lead"):
            raise PermissionDenied(_("You do not have permission to do this."))
        form = self.get_form(None, data=request.POST)
        if form.is_valid():
            values = {f: form.cleaned_data[f] for f in form.Meta.fields if f in form.cleaned_data}
            values = {k: v for k, v in values.items() if v not in (None, "")}
            try:
                lead = actions.create_lead(user=request.user, **values)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Lead opened."))
                return HttpResponseRedirect(lead.get_absolute_url())
        return self.render_to_response(self.edit_context(self.model(), form), status=400)


class LeadDetailView(ObjectDetailView):
    model = Lead
    template_name = "investment/lead_detail.html"
    fields = tables.LEAD_FIELDS
    select_related = ("industry__section", "owner", "enterprise", "lease__building__building")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        lead = ctx["object"]
        user = self.request.user
        candidates = None
        if lead.is_open and user.has_perm("economy.view_unit"):
            candidates = matching.match_lead(lead, user, limit=10)
        weights = candidates.weights if candidates is not None else matching.WEIGHTS
        ctx.update(
            events=LeadEvent.objects.restrict(user).filter(lead=lead).order_by("-date", "-pk"),
            steps=actions.available(lead, user),
            candidates=candidates or [],
            learned_note=candidates.learned_note if candidates is not None else "",
            weights=weights,
            part_labels={k: PART_LABELS[k] for k in weights},
            can_change=user.has_perm("investment.change_lead"),
            today=timezone.localdate(),
        )
        return ctx


PART_LABELS = {
    "area": _("area fit"),
    "rent": _("rent vs budget"),
    "grade": _("grade"),
    "chain": _("chain / 一楼一品 fit"),
    "cluster": _("same-chain neighbours"),
    "vacancy": _("vacancy duration"),
    "learned": _("learned from the street's leases"),
}


class LeadStepView(StepView):
    """A stage change of a lead (the declared ``actions.TRANSITIONS``)."""

    model = Lead
    fragment = "investment/_action_form.html"
    page = "investment/action.html"
    select_related = ("industry",)
    note_is_reason = False  # the note is the timeline entry's (and the reason of 流失)

    def select_step(self, name):
        t = actions.TRANSITIONS.get(name)
        if t is None:
            raise Http404(_("Unknown action."))
        self.step, self.label, self.permission = name, t.label, t.permission
        self.form_class = forms.SignForm if name == "sign" else forms.StageForm

    def setup_step(self, request, pk, name=None, **kwargs):
        super().setup_step(request, pk, name=name, **kwargs)

    def form_kwargs(self):
        if self.form_class is forms.SignForm:
            data = self.request.GET
            ids = [int(u) for u in data.getlist("units") if u.isdigit()]
            return {"lead": self.object, "user": self.request.user, "unit_ids": ids}
        return {}

    def problem(self):
        if self.object.stage not in actions.TRANSITIONS[self.step].sources:
            return _("The lead is at stage “%(s)s”.") % {"s": self.object.get_stage_display()}
        return ""

    def action_url(self):
        url = reverse("investment:lead_step", args=[self.object.pk, self.step])
        units = self.request.GET.getlist("units")
        if units:
            url += "?" + "&".join(f"units={u}" for u in units if u.isdigit())
        return url

    def perform(self, form, user):
        data = dict(form.cleaned_data)
        on = data.pop("on", None) or timezone.localdate()
        if self.step == "sign":
            data["units"] = [u.pk for u in data["units"]]
            if not data.get("credit_code"):
                data.pop("credit_code", None)
        actions.perform(self.object, self.step, user, on=on, **data)


class LeadVisitView(LoginRequiredMixin, View):
    """POST: book a viewing of a candidate (a visit on the timeline), or record a visit/note."""

    model = Lead

    def post(self, request, pk, kind):
        lead = get_object_or_404(Lead.objects.restrict(request.user, "change"), pk=pk)
        try:
            if kind == "note":
                form = forms.NoteForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors)
                actions.add_note(lead, note=form.cleaned_data["note"], user=request.user)
            elif kind == "visit":
                form = forms.VisitForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors)
                d = form.cleaned_data
                actions.record_visit(
                    lead,
                    on=d["on"],
                    note=d["note"],
                    units=d["units"],
                    booked=d["booked"],
                    user=request.user,
                )
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Added to the timeline."))
        return HttpResponseRedirect(lead.get_absolute_url())


class ShortlistExportView(LoginRequiredMixin, View):
    """The lead's candidates with every part of their scores and their reasons, as Excel or,
    to print and hand over, as PDF (``core.pdf``): the same rows either way."""

    model = Lead
    file_format = "xlsx"

    def get(self, request, pk):
        if not request.user.has_perm("investment.view_lead"):
            raise PermissionDenied(_("You do not have permission to do this."))
        lead = get_object_or_404(
            Lead.objects.restrict(request.user).select_related("industry__section"), pk=pk
        )
        candidates = matching.match_lead(lead, request.user, limit=20)
        keys = list(candidates.weights)
        headers = SHORTLIST.headers + [str(PART_LABELS[k]) for k in keys] + [_("reasons")]
        rows = [
            [i, c.building, c.floor, c.unit_codes, c.area_m2, c.asking_rent, c.score]
            + [c.parts[k] for k in keys]
            + ["；".join(c.reasons)]
            for i, c in enumerate(candidates, start=1)
        ]
        if self.file_format == "pdf":
            return self.pdf(lead, candidates, headers, rows)
        data = dataio.write_xlsx(SHORTLIST, [headers, *rows])
        response = HttpResponse(data, content_type=dataio.CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = f'attachment; filename="shortlist-{lead.pk}.xlsx"'
        return response

    def pdf(self, lead, candidates, headers, rows) -> HttpResponse:
        budget = lead.rent_budget
        report = PdfReport(
            _("Shortlist of space (招商短名单)"),
            subtitle=f"{lead.name}（{lead.industry}）",  # STSong-Light has no "·"
            facts=[
                (_("area wanted (m²)"), lead.area_range),
                (_("rent budget (CNY/m²/day)"), budget),
                (_("stage"), lead.get_stage_display()),
                (_("Generated"), timezone.localdate()),
            ],
            landscape=True,
        )
        report.table(
            headers,
            rows,
            widths=[0.5, 2, 0.8, 2, 1, 1, 0.9] + [0.9] * len(candidates.weights) + [4],
            empty=_("No vacant space fits the area wanted."),
        )
        weights = "；".join(f"{PART_LABELS[k]} {w}" for k, w in candidates.weights.items())
        report.paragraph(
            _("Each part is 0–1; the score (0–100) weighs them: %(weights)s.")
            % {"weights": weights}
        )
        report.paragraph(candidates.learned_note)
        return report.response(f"shortlist-{lead.pk}.pdf")


# -- parks ---------------------------------------------------------------------------------------


class ParkListView(ObjectListView):
    model = Park
    columns = tables.PARK_COLUMNS
    select_related = ("building__building",)


class ParkDetailView(ObjectDetailView):
    model = Park
    template_name = "investment/park_detail.html"
    fields = [c for c in tables.PARK_COLUMNS[1:]] + []
    select_related = ("building__building",)

    def get_context_data(self, **kwargs):
        from . import parks

        ctx = super().get_context_data(**kwargs)
        ctx["progress"] = parks.progress(ctx["object"], self.request.user)
        return ctx


# -- the other direction: a vacant space ----------------------------------------------------------


class VacantSpaceListView(ObjectListView):
    """The vacant, available units the user sees, each opening the leads that would fit it."""

    model = Unit
    title = _("Vacant space")
    columns = [
        Column("code", label=_("unit number")),
        Column("building"),
        Column("floor.display_label", label=_("floor")),
        Column("area_m2", order_by="area_m2"),
        Column("asking_rent", order_by="asking_rent"),
    ]
    select_related = ("building__building", "floor")
    default_order = ("building__building__code", "code")
    template_name = "investment/space_list.html"

    def get_queryset(self):
        return super().get_queryset().filter(status=Unit.Status.VACANT_AVAILABLE)


class SpaceMatchView(PermissionMixin, TemplateView):
    """For one vacant unit: the open leads it would fit, with their parts, and the whitelist's
    industries its tower's chain lists, best first."""

    model = Unit
    template_name = "investment/space_match.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        unit = get_object_or_404(
            Unit.objects.restrict(user).select_related("building__building", "building__chain"),
            pk=self.kwargs["pk"],
        )
        matches = matching.match_space(unit, user, limit=15)
        industries = []
        run = whitelist.published() or whitelist.latest_run()
        chain = unit.building.chain
        may_see = user.has_perm("investment.view_whitelistentry")
        if run is not None and chain is not None and may_see:
            prefixes = [p.lstrip("ABCDEFGHIJKLMNOPQRST") or p for p in chain.industry_prefixes]
            for e in run.entries.filter(level=WhitelistEntry.Level.GROUP).exclude(
                decision=IndustryOverride.Kind.EXCLUDE
            ):
                if any(
                    e.section == p if p.isalpha() else e.code.startswith(p[:3]) for p in prefixes
                ):
                    industries.append(e)
                if len(industries) >= 10:
                    break
        ctx.update(
            title=str(unit),
            unit=unit,
            matches=matches,
            # The learned part is among them when the street's history is long enough.
            part_labels={
                k: PART_LABELS[k] for k in (matches[0][2] if matches else matching.WEIGHTS)
            },
            industries=industries,
            run=run,
        )
        return ctx
