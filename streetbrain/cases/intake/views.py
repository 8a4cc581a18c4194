"""The intake's staff pages: the 受理 desk, where staff register a phone call or a 12345
hotline transfer (it goes through ``actions.submit_report`` like every channel), and the
configuration the pipeline reads: routing rules, 立结案标准 and sensors (each change with a
reason, kept in the change log)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from streetbrain.core.generic import (
    ObjectDeleteView,
    ObjectEditView,
    ObjectListView,
    apply_errors,
    object_changelog,
)
from streetbrain.core.models import OrgUnit

from .. import filtersets, tables
from ..models import Case, RoutingRule, Sensor, TimeLimitStandard
from . import actions, forms
from .pipeline import ReportInput

# -- the 受理 desk (受理登记) -------------------------------------------------------------------


class ReportNewView(LoginRequiredMixin, TemplateView):
    """The 受理员 registers a phone call or a 12345 hotline transfer."""

    template_name = "cases/report_new.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm("cases.add_case"):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        grids = OrgUnit.objects.restrict(user, "view").filter(
            level=OrgUnit.Level.GRID, geometry__isnull=False
        )
        features = [
            {
                "type": "Feature",
                "geometry": g.geometry,
                "properties": {"role": "grid", "name": g.name},
            }
            for g in grids[:500]
        ]
        ctx.setdefault("form", forms.ReportIntakeForm())
        ctx.update(
            title=_("Register a report"),
            geojson={"type": "FeatureCollection", "features": features},
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = forms.ReportIntakeForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            data = ReportInput(
                channel=d["channel"],
                title=d["title"],
                description=d["description"],
                lon=d["lon"],
                lat=d["lat"],
                address=d["address"],
                requested_class=d["component_class"],
                reporter_name=d["reporter_name"].strip(),
                phone=d["phone"],
                external_id=d["external_id"].strip(),
                idempotency_key=(
                    f"web:{request.user.pk}:{d['submission']}" if d["submission"] else ""
                ),
                user=request.user,
                photos=d["photos"],
            )
            try:
                result = actions.submit_report(data)
            except ValidationError as exc:
                apply_errors(form, exc, forms.INTAKE_ERROR_FIELDS)
            else:
                return self.done(result)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def done(self, result):
        request, case = self.request, result.case
        if not result.created:
            messages.info(
                request,
                _("This report was already registered as case %(number)s.")
                % {"number": case.number},
            )
        elif result.new_case:
            messages.success(request, _("New case %(number)s opened.") % {"number": case.number})
        else:
            messages.success(
                request,
                _(
                    "Merged into the open case %(number)s as a further report "
                    "(%(count)d reports now)."
                )
                % {"number": case.number, "count": case.report_count},
            )
        if Case.objects.restrict(request.user, "view").filter(pk=case.pk).exists():
            return HttpResponseRedirect(case.get_absolute_url())
        return HttpResponseRedirect(reverse("cases:index"))


# -- configuration (routing rules, 立结案标准, sensors) --------------------------------------


class ConfigListView(ObjectListView):
    template_name = "cases/config_list.html"


class ConfigEditView(ObjectEditView):
    template_name = "cases/config_edit.html"

    def edit_context(self, obj, form):
        ctx = super().edit_context(obj, form)
        if obj.pk:
            ctx["changelog"] = object_changelog(obj)[:20]
            ctx["changelog_url"] = (
                reverse("core:changelog_list")
                + f"?object_type={obj._meta.app_label}.{obj._meta.model_name}&object_id={obj.pk}"
            )
        return ctx


class ConfigDeleteView(ObjectDeleteView):
    """Deleting configuration needs a reason, like every configuration change."""

    template_name = "cases/config_delete.html"

    def post(self, request, *args, **kwargs):
        if not request.POST.get("_change_reason", "").strip():
            ctx = self.get_context_data(**kwargs)
            ctx["reason_error"] = _("Give a reason for the change.")
            return self.render_to_response(ctx, status=400)
        return super().post(request, *args, **kwargs)


class RoutingRuleListView(ConfigListView):
    model = RoutingRule
    url_prefix = "cases:routing"
    title = gettext_lazy("Routing rules")
    columns = tables.ROUTING_COLUMNS
    filterset_class = filtersets.RoutingRuleFilterSet
    select_related = ("component_class", "area", "department")
    default_order = ("priority", "pk")


class RoutingRuleEditView(ConfigEditView):
    model = RoutingRule
    url_prefix = "cases:routing"
    form_class = forms.RoutingRuleForm


class RoutingRuleDeleteView(ConfigDeleteView):
    model = RoutingRule
    url_prefix = "cases:routing"


class TimeLimitListView(ConfigListView):
    model = TimeLimitStandard
    url_prefix = "cases:timelimit"
    title = gettext_lazy("Time-limit standards (立结案标准)")
    columns = tables.TIMELIMIT_COLUMNS
    filterset_class = filtersets.TimeLimitFilterSet
    select_related = ("component_class",)
    default_order = ("component_class__kind", "component_class__code", "condition")
    paginate_by = 100


class TimeLimitEditView(ConfigEditView):
    model = TimeLimitStandard
    url_prefix = "cases:timelimit"
    form_class = forms.TimeLimitStandardForm


class TimeLimitDeleteView(ConfigDeleteView):
    model = TimeLimitStandard
    url_prefix = "cases:timelimit"


class SensorListView(ConfigListView):
    model = Sensor
    url_prefix = "cases:sensor"
    title = gettext_lazy("Sensors")
    columns = tables.SENSOR_COLUMNS
    filterset_class = filtersets.SensorFilterSet
    select_related = ("component_class", "org_unit")
    default_order = ("device_id",)


class SensorEditView(ConfigEditView):
    model = Sensor
    url_prefix = "cases:sensor"
    form_class = forms.SensorForm
