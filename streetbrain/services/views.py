"""Pages of AI企服 (namespace ``services``), under /services/: the policies with the stored
verdict counts of their clauses, a clause's eligible enterprises and why the others are not,
sending its notices (and exporting them for an SMS/政务钉钉 gateway), a notice's follow-up,
the import of a policy file, the matching task's trigger, and the enterprise's own page.
Pages only read stored matches: the matching runs as a task (``tasks.recompute``)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from streetbrain.cases.channels.views import public_timeline, state_text
from streetbrain.core.generic import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    apply_errors,
)

from . import actions, gateways, reasons, tasks
from .forms import ClauseForm, GrantForm, PolicyForm, PolicyImportForm, RequestForm, SendForm
from .models import Clause, EnterpriseRequest, Match, Notice, Policy, Verdict


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to do this."))


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


class IndexView(LoginRequiredMixin, TemplateView):
    """The policies and their current clauses, each with the stored verdict counts in the
    user's scope, and the grants per tower and year."""

    template_name = "services/index.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _need(request, "services.view_policy")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        counts: dict[int, dict] = {}
        for row in (
            Match.objects.restrict(user)
            .filter(clause__current=True)
            .values("clause_id", "verdict")
            .annotate(n=Count("pk"), amount=Sum("amount"))
        ):
            counts.setdefault(row["clause_id"], {})[row["verdict"]] = row["n"]
        policies = []
        for policy in Policy.objects.restrict(user).prefetch_related("clauses"):
            clauses = [c for c in policy.clauses.all() if c.current]
            policies.append(
                {
                    "policy": policy,
                    "clauses": [(c, counts.get(c.pk, {})) for c in clauses],
                }
            )
        follow: dict = {}
        for row in (
            Notice.objects.restrict(user)
            .values("sent_by__username", "sent_by__display_name", "clause__policy__title", "state")
            .annotate(n=Count("pk"), granted=Sum("granted_amount"))
        ):
            key = (
                row["sent_by__display_name"] or row["sent_by__username"] or "—",
                row["clause__policy__title"],
            )
            entry = follow.setdefault(key, {"amount": 0, **{s: 0 for s in Notice.State.values}})
            entry[row["state"]] += row["n"]
            entry["amount"] += row["granted"] or 0
        ctx.update(
            follow=[(k[0], k[1], v) for k, v in sorted(follow.items())],
            states=Notice.State,
            policies=policies,
            verdicts=Verdict,
            grants=actions.grants_by_building_year(user),
            notices=[
                {**row, "label": Notice.State(row["state"]).label}
                for row in Notice.objects.restrict(user)
                .values("state")
                .annotate(n=Count("pk"))
                .order_by("state")
            ],
            can_import=user.has_perm("services.add_policy"),
            can_recompute=user.has_perm("services.add_match"),
            computed=Match.objects.restrict(user)
            .order_by("-computed_at")
            .values_list("computed_at", flat=True)[:1],
        )
        return ctx


class PolicyDetailView(ObjectDetailView):
    model = Policy
    template_name = "services/policy_detail.html"
    fields = [
        Column("title"),
        Column("issuer"),
        Column("doc_no"),
        Column("level"),
        Column("effective_from"),
        Column("effective_to"),
        Column("source"),
        Column("note"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["clauses"] = [
            (c, reasons.describe_benefit(c.benefit))
            for c in ctx["object"].clauses.order_by("key", "-version")
        ]
        return ctx


PER_LIST = 200
MY_REQUESTS = 50  # the enterprise's latest requests on its page, each with its steps


class ClauseDetailView(ObjectDetailView):
    """A clause: its rule and benefit, the enterprises eligible (with or without applying)
    and, for each other one, the conditions it failed or lacks data for."""

    model = Clause
    template_name = "services/clause_detail.html"
    select_related = ("policy",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        clause = ctx["object"]
        user = self.request.user
        matches = (
            Match.objects.restrict(user)
            .filter(clause=clause)
            .select_related("enterprise")
            .order_by("-amount", "enterprise__name", "pk")
        )
        groups = []
        for verdict in Verdict:
            qs = matches.filter(verdict=verdict)
            rows = [
                (m, reasons.describe_all(m.reasons, only_open=verdict != Verdict.AUTO))
                for m in qs[:PER_LIST]
            ]
            groups.append({"verdict": verdict, "count": qs.count(), "rows": rows})
        ctx.update(
            groups=groups,
            conditions=reasons.describe_rules(clause.conditions),
            benefit=reasons.describe_benefit(clause.benefit),
            notified=Notice.objects.restrict(user).filter(clause=clause).count(),
            can_send=clause.current and user.has_perm("services.add_notice"),
            can_edit=clause.current and user.has_perm("services.change_policy"),
            send_form=SendForm(),
            gateways=gateways.choices(),
        )
        return ctx


class PolicyEditView(ObjectEditView):
    """A policy entered or corrected on its page (``actions.save_policy``)."""

    model = Policy
    form_class = PolicyForm
    template_name = "services/edit.html"

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            try:
                obj = actions.save_policy(request.user, form.save(commit=False))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The policy “%(p)s” was saved.") % {"p": obj})
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_to_response(self.edit_context(obj, form), status=400)

    def edit_context(self, obj, form):
        ctx = super().edit_context(obj, form)
        ctx["cancel_url"] = obj.get_absolute_url() if obj.pk else reverse("services:index")
        return ctx


class ClauseEditView(ObjectEditView):
    """A clause of a policy with its structured conditions and benefit: added
    (``policies/<policy>/clauses/add/``) or changed (``clauses/<pk>/edit/``; a matched clause
    becomes a new version). Clauses are part of their policy: changing them takes
    services.change_policy. Saving starts the clause's matching (``actions.save_clause``)."""

    model = Clause
    form_class = ClauseForm
    template_name = "services/edit.html"

    def check_permission(self):
        if not self.request.user.has_perm("services.change_policy"):
            raise PermissionDenied(_("You do not have permission to do this."))

    def get_object(self):
        if "pk" in self.kwargs:
            return get_object_or_404(
                Clause.objects.restrict(self.request.user).select_related("policy"),
                pk=self.kwargs["pk"],
                current=True,
            )
        policies = Policy.objects.restrict(self.request.user)
        policy = get_object_or_404(policies, pk=self.kwargs["policy"])
        return Clause(policy=policy)

    def get_form(self, obj, data=None):
        initial = ClauseForm.initial_of(obj) if obj.pk else {"path": obj.path}
        return ClauseForm(data=data, initial=initial)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "_change_reason"}
            try:
                saved = actions.save_clause(
                    request.user, obj.policy, data, clause=obj if obj.pk else None
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                # The changed clause's verdicts, by the matching task once this commits.
                transaction.on_commit(partial(tasks.recompute.delay, clause_ids=[saved.pk]))
                if saved.pk != obj.pk and obj.pk:
                    note = _("Saved as version %(v)s; the earlier version keeps its results.")
                    messages.success(request, note % {"v": saved.version})
                else:
                    messages.success(request, _("The clause was saved."))
                messages.info(request, _("The matching recomputes the clause's verdicts."))
                return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_to_response(self.edit_context(obj, form), status=400)

    def edit_context(self, obj, form):
        ctx = super().edit_context(obj, form)
        ctx.update(
            policy=obj.policy,
            title=str(obj) if obj.pk else _("New clause of %(p)s") % {"p": obj.policy},
            cancel_url=obj.get_absolute_url() if obj.pk else obj.policy.get_absolute_url(),
            fields=reasons.LABELS,
        )
        return ctx


class SendNoticesView(LoginRequiredMixin, View):
    def post(self, request, pk):
        _need(request, "services.add_notice")
        clause = get_object_or_404(Clause.objects.restrict(request.user), pk=pk)
        form = SendForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
        else:
            try:
                sent = actions.send_notices(
                    clause, request.user, message=form.cleaned_data["message"]
                )
                messages.success(request, _("%(n)s enterprises were notified.") % {"n": len(sent)})
            except ValidationError as exc:
                for m in _messages_of(exc):
                    messages.error(request, m)
        return HttpResponseRedirect(reverse("services:clause_detail", args=[clause.pk]))


class ExportNoticesView(LoginRequiredMixin, View):
    """A clause's notices for an outside gateway (SMS, 政务钉钉) through its adapter."""

    def get(self, request, pk, gateway):
        _need(request, "services.view_notice")
        clause = get_object_or_404(Clause.objects.restrict(request.user), pk=pk)
        adapter = gateways.get(gateway)
        if adapter is None:
            raise PermissionDenied(_("Unknown gateway."))
        notices = (
            Notice.objects.restrict(request.user)
            .filter(clause=clause)
            .select_related("enterprise", "clause__policy")
            .order_by("pk")
        )
        body, content_type, filename = adapter.export(notices)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class NoticeListView(ObjectListView):
    model = Notice
    select_related = ("enterprise", "clause__policy")
    default_order = ("-sent_at", "pk")
    columns = [
        Column("enterprise", link=True),
        Column("clause"),
        Column("state", order_by="state"),
        Column("sent_at", order_by="sent_at"),
        Column("estimated_amount"),
        Column("granted_amount", order_by="granted_amount"),
    ]

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.GET.get("state")
        if state in Notice.State.values:
            qs = qs.filter(state=state)
        return qs


class NoticeDetailView(ObjectDetailView):
    model = Notice
    template_name = "services/notice_detail.html"
    select_related = ("enterprise", "clause__policy", "sent_by", "building__building")
    fields = [
        Column("enterprise"),
        Column("clause"),
        Column("state"),
        Column("sent_by"),
        Column("sent_at"),
        Column("estimated_amount"),
        Column("granted_amount"),
        Column("granted_on"),
        Column("building"),
        Column("message"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        notice = ctx["object"]
        ctx["events"] = notice.events.select_related("user")
        steps = []
        if self.request.user.has_perm("services.change_notice"):
            for step, (sources, _target) in actions.NOTICE_TRANSITIONS.items():
                if notice.state in sources:
                    steps.append((step, STEP_LABELS[step]))
        ctx.update(steps=steps, grant_form=GrantForm())
        return ctx


STEP_LABELS = {
    "read": gettext_lazy("Mark read"),
    "apply": gettext_lazy("Mark applied"),
    "grant": gettext_lazy("Grant"),
    "refuse": gettext_lazy("Refuse"),
}


class NoticeStepView(LoginRequiredMixin, View):
    def post(self, request, pk, step):
        notice = get_object_or_404(Notice.objects.all(), pk=pk)
        account = actions.account_of(request.user)
        own = account is not None and account.enterprise_id == notice.enterprise_id
        if not own and not Notice.objects.restrict(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("You do not have permission to do this."))
        form = GrantForm(request.POST) if step == "grant" else None
        try:
            if form is not None and not form.is_valid():
                raise ValidationError([e for errs in form.errors.values() for e in errs])
            actions.advance_notice(
                notice,
                step,
                request.user,
                amount=form.cleaned_data["amount"] if form is not None else None,
                note=(form.cleaned_data.get("note") or "") if form is not None else "",
            )
            messages.success(request, _("The notice was updated."))
        except ValidationError as exc:
            for m in _messages_of(exc):
                messages.error(request, m)
        target = "services:me" if own else "services:notice_detail"
        return HttpResponseRedirect(reverse(target, args=[] if own else [pk]))


class PolicyImportView(LoginRequiredMixin, TemplateView):
    template_name = "services/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            _need(request, "services.add_policy")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", PolicyImportForm())
        return ctx

    def post(self, request):
        form = PolicyImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                counts = actions.import_policy_file(upload.read(), upload.name)
            except ValidationError as exc:
                for m in _messages_of(exc):
                    form.add_error("file", m)
            else:
                if counts["clauses_new"] or counts["clauses_versioned"]:
                    # Changed policies: the matching task recomputes the verdicts.
                    transaction.on_commit(tasks.recompute.delay)
                messages.success(
                    request,
                    _(
                        "Imported %(p)s policies: %(n)s new clauses, %(v)s new versions, "
                        "%(u)s unchanged. The matching recomputes the verdicts."
                    )
                    % {
                        "p": counts["policies"],
                        "n": counts["clauses_new"],
                        "v": counts["clauses_versioned"],
                        "u": counts["unchanged"],
                    },
                )
                return HttpResponseRedirect(reverse("services:index"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RecomputeView(LoginRequiredMixin, View):
    """Starts the matching task (in the demo and tests it runs at once)."""

    def post(self, request):
        _need(request, "services.add_match")
        result = tasks.recompute.delay()
        info = result.get() if result.ready() else None
        if info:
            messages.success(
                request,
                _("Matched %(e)s enterprises against %(c)s clauses.")
                % {"e": info["enterprises"], "c": info["clauses"]},
            )
        else:
            messages.success(request, _("The matching has started."))
        return HttpResponseRedirect(reverse("services:index"))


class MeView(LoginRequiredMixin, TemplateView):
    """The enterprise's own page: its matches with reasons, its notices (opening the page
    marks delivered notices read), its applications and its requests as cases."""

    template_name = "services/me.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and actions.account_of(request.user) is None:
            raise PermissionDenied(_("This page is for enterprise accounts."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        account = actions.account_of(request.user)
        for notice in Notice.objects.filter(
            enterprise=account.enterprise, state=Notice.State.DELIVERED
        ):
            actions.advance_notice(notice, "read", request.user, note=_("Opened by the enterprise"))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = RequestForm(request.POST)
        if form.is_valid():
            try:
                req = actions.raise_request(
                    request.user, form.cleaned_data["kind"], form.cleaned_data["text"]
                )
            except ValidationError as exc:
                for m in _messages_of(exc):
                    form.add_error(None, m)
            else:
                messages.success(
                    request,
                    _("Your request was registered as case %(n)s.") % {"n": req.case.number},
                )
                return HttpResponseRedirect(reverse("services:me"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        account = actions.account_of(self.request.user)
        enterprise = account.enterprise
        matches = (
            Match.objects.filter(enterprise=enterprise, clause__current=True)
            .select_related("clause__policy")
            .order_by("verdict", "-amount")
        )
        ctx.update(
            enterprise=enterprise,
            eligible=[
                (m, reasons.describe_all(m.reasons))
                for m in matches
                if m.verdict in (Verdict.AUTO, Verdict.APPLY)
            ],
            open_questions=[
                (m, reasons.describe_all(m.reasons, only_open=True))
                for m in matches
                if m.verdict == Verdict.UNKNOWN
            ],
            ineligible_count=sum(1 for m in matches if m.verdict == Verdict.INELIGIBLE),
            notices=Notice.objects.filter(enterprise=enterprise).select_related("clause__policy"),
            requests=[
                # Each case's steps as its reporter sees them (the residents' tracking page's
                # timeline: no internal notes, classification or staff requests).
                {
                    "case": r.case,
                    "text": r.text,
                    "timeline": public_timeline(r.case),
                    "state_text": state_text(r.case),
                }
                for r in EnterpriseRequest.objects.filter(enterprise=enterprise).select_related(
                    "case", "case__suggested_department", "case__department"
                )[:MY_REQUESTS]
            ],
        )
        ctx.setdefault("form", RequestForm())
        return ctx


def enterprise_panel(enterprise, user) -> dict | None:
    """The enterprise's policy matches, notices and grants on its economy profile page."""
    matches = list(
        Match.objects.restrict(user)
        .filter(enterprise=enterprise, clause__current=True)
        .exclude(verdict=Verdict.INELIGIBLE)
        .select_related("clause__policy")
        .order_by("verdict", "-amount")[:50]
    )
    notices = list(
        Notice.objects.restrict(user).filter(enterprise=enterprise).select_related("clause")
    )
    if not matches and not notices:
        return None
    return {
        "matches": [(m, reasons.describe_all(m.reasons, only_open=True)) for m in matches],
        "notices": notices,
        "granted": sum((n.granted_amount or 0) for n in notices),
    }
