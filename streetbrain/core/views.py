"""Core pages: home, the org tree, departments, users and the change log."""

from __future__ import annotations

import time

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ModelChoiceField
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from . import actions, filtersets, forms, navigation, request_limits, tables
from .api_answers import api_error
from .figures import compared_figures, key_figures_for
from .generic import Column, ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView
from .models import ApiToken, ChangeLogEntry, Department, OrgUnit
from .search import normalise_query, search
from .templatetags.sb import figure as figure_text


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        unit = OrgUnit.home_of(user)
        ctx["unit"] = unit
        ctx["figures"] = key_figures_for(unit, user) if unit else []
        ctx["domains"] = navigation.entries(user)
        ctx["communities"] = (
            OrgUnit.objects.restrict(user, "view")
            .filter(level=OrgUnit.Level.COMMUNITY)
            .order_by("code")[:30]
        )
        if user.has_perm("core.view_changelogentry"):
            ctx["recent_changes"] = ChangeLogEntry.objects.restrict(user, "view").select_related(
                "content_type"
            )[:8]
        return ctx


class FilterChoicesView(LoginRequiredMixin, View):
    """The options of a filter with too many choices for a select (``QuickSelect``'s search
    box): the first ``CHOICES_SHOWN`` of the filter's choices — scoped to the user as the
    list's form scopes them — whose name or code holds ``term``, as ``<option>``s."""

    def get(self, request, key, name):
        cls = filtersets.filterset_by_key(key)
        if cls is None:
            raise Http404
        fs = cls(data={}, request=request, queryset=cls._meta.model._default_manager.none())
        field = fs.form.fields.get(name)
        if not isinstance(field, ModelChoiceField):
            raise Http404
        term = normalise_query(request.GET.get("term"))
        rows = filtersets.choice_matches(field.queryset, term)[: filtersets.CHOICES_SHOWN]
        return HttpResponse(
            format_html('<option value="">{}</option>', field.empty_label or "")
            + format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((row.pk, field.label_from_instance(row)) for row in rows),
            ),
            content_type="text/html; charset=utf-8",
        )


class SearchView(LoginRequiredMixin, TemplateView):
    """One search box over everything the user may see (人房物, org units, later cases)."""

    template_name = "core/search.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        q = self.request.GET.get("q", "").strip()
        started = time.perf_counter()
        ctx["groups"] = search(self.request.user, q) if q else []
        ctx["elapsed_ms"] = round((time.perf_counter() - started) * 1000)
        ctx["q"] = q
        ctx["title"] = _("Search")
        return ctx


class OrgUnitListView(ObjectListView):
    model = OrgUnit
    columns = tables.ORG_UNIT_COLUMNS
    filterset_class = filtersets.OrgUnitFilterSet
    select_related = ("parent",)
    default_order = ("path",)
    level = None

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.filter(level=self.level) if self.level else qs


class CommunityListView(OrgUnitListView):
    level = OrgUnit.Level.COMMUNITY
    hidden_filters = ("level",)
    title = gettext_lazy("Communities")


class GridListView(OrgUnitListView):
    level = OrgUnit.Level.GRID
    hidden_filters = ("level",)
    title = gettext_lazy("Grid cells")


class OrgUnitDetailView(ObjectDetailView):
    model = OrgUnit
    template_name = "core/orgunit_detail.html"
    fields = tables.ORG_UNIT_FIELDS
    select_related = ("parent",)

    def type_label(self, obj):
        return obj.get_level_display()

    def related_tables(self, obj):
        user = self.request.user
        children = list(OrgUnit.objects.restrict(user, "view").filter(parent=obj).order_by("code"))
        out = []
        if children:
            out.append(self.units_below(children))
        if user.has_perm("core.view_user"):
            users = get_user_model().objects.restrict(user, "view").filter(org_unit=obj)
            if users.exists():
                cols = tables.USER_COLUMNS[:3]
                out.append(
                    {
                        "title": _("Staff of this unit"),
                        "columns": [c.header(get_user_model()) for c in cols],
                        "rows": [(u, [c.value(u) for c in cols]) for u in users],
                    }
                )
        return out

    def units_below(self, children: list[OrgUnit]) -> dict:
        """The units below side by side (a district's streets, a street's communities): their
        precomputed figures, each a link to the list of its rows in that unit; the unit's name
        drills down to its own page."""
        columns = tables.ORG_UNIT_COLUMNS[:3]
        figures, values = compared_figures(children, self.request.user)
        links = {f.key: reverse(f.link) for f in figures}

        def linked(child: OrgUnit, f) -> str:
            value = values.get((child.pk, f.key))
            url = f"{links[f.key]}?{f.unit_param}={child.pk}"
            return format_html('<a href="{}">{}</a>', url, figure_text(value))

        return {
            "title": _("Units below"),
            "columns": [
                *(c.header(OrgUnit) for c in columns),
                *(f"{f.label} ({f.unit})" if f.unit else str(f.label) for f in figures),
            ],
            "rows": [
                (c, [*(col.value(c) for col in columns), *(linked(c, f) for f in figures)])
                for c in children
            ],
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = ctx["object"]
        features = []
        children = OrgUnit.objects.restrict(self.request.user, "view").filter(
            parent=obj, geometry__isnull=False
        )
        for child in children:
            features.append(_feature(child, "child"))
        if obj.geometry:
            features.append(_feature(obj, "self"))
        ctx["geojson"] = {"type": "FeatureCollection", "features": features}
        ctx["figures"] = key_figures_for(obj, self.request.user)
        ctx["ancestors"] = obj.ancestors()
        return ctx


def _feature(unit: OrgUnit, role: str) -> dict:
    return {
        "type": "Feature",
        "geometry": unit.geometry,
        "properties": {
            "code": unit.code,
            "name": unit.name,
            "role": role,
            "url": unit.get_absolute_url(),
        },
    }


class OrgUnitEditView(ObjectEditView):
    model = OrgUnit
    form_class = forms.OrgUnitForm


class DepartmentListView(ObjectListView):
    model = Department
    columns = tables.DEPARTMENT_COLUMNS
    filterset_class = filtersets.DepartmentFilterSet
    select_related = ("org_unit",)


class DepartmentDetailView(ObjectDetailView):
    model = Department
    fields = tables.DEPARTMENT_FIELDS
    select_related = ("org_unit",)


class DepartmentEditView(ObjectEditView):
    model = Department
    form_class = forms.DepartmentForm


class DepartmentDeleteView(ObjectDeleteView):
    model = Department


class UserListView(ObjectListView):
    model = get_user_model()
    columns = tables.USER_COLUMNS
    filterset_class = filtersets.UserFilterSet
    select_related = ("org_unit", "department")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("groups")


class UserDetailView(ObjectDetailView):
    model = get_user_model()
    fields = tables.USER_FIELDS
    select_related = ("org_unit", "department")


class ChangeLogListView(ObjectListView):
    """The global change log, for those with the permission (scoped like everything else)."""

    model = ChangeLogEntry
    template_name = "core/changelog_list.html"
    filterset_class = filtersets.ChangeLogFilterSet
    select_related = ("content_type",)
    columns = [
        Column("time", order_by="time", link=True),
        Column("user_name"),
        Column("source"),
        Column("action"),
        Column("content_type.name", gettext_lazy("object type")),
        Column("object_repr"),
        Column("changed_fields_display", gettext_lazy("changed fields")),
        Column("reason"),
    ]

    def check_permission(self):
        # Anyone may read the log of one object they can see (filtered by object);
        # the global log needs the change-log permission.
        params = self.request.GET
        # Blank values (spaces) name no object, as the filter set reads them: the global log.
        object_type = params.get("object_type", "").strip()
        object_id = params.get("object_id", "").strip()
        if object_type and object_id:
            app_label, _sep, model_name = object_type.partition(".")
            from django.contrib.contenttypes.models import ContentType

            try:  # the installed models, not the database: the parameter is any text
                model = apps.get_model(app_label, model_name)
            except (LookupError, ValueError):
                # No such kind of object: not one object's log. The global log's permission
                # applies, and its filter set answers the value (a list with no rows).
                self.single_object = False
                super().check_permission()
                return
            ct = ContentType.objects.get_for_model(model)
            if not can_view_object_of(self.request.user, ct, object_id):
                raise PermissionDenied
            self.single_object = True
            return
        self.single_object = False
        super().check_permission()

    def get_queryset(self):
        if getattr(self, "single_object", False):
            return ChangeLogEntry.objects.all().select_related("content_type")
        return super().get_queryset()


def can_view_object_of(user, content_type, object_id) -> bool:
    """Whether ``user`` may see the object a change-log entry is about (its log goes with it)."""
    model = content_type.model_class()
    if model is None or not hasattr(model.objects, "restrict"):
        return False
    try:  # an id from the query string: any text
        pk = model._meta.pk.to_python(object_id)
    except ValidationError:
        return False
    return model.objects.restrict(user, "view").filter(pk=pk).exists()


class ChangeLogDetailView(ObjectDetailView):
    """One entry: for holders of the change-log permission within their scope, and for anyone
    who can see the object it is about."""

    model = ChangeLogEntry
    template_name = "core/changelog_detail.html"
    select_related = ("content_type", "user")

    def check_permission(self):
        pass  # decided per entry in get_object

    def get_object(self):
        user = self.request.user
        entry = get_object_or_404(
            ChangeLogEntry.objects.select_related("content_type", "user"), pk=self.kwargs["pk"]
        )
        if ChangeLogEntry.objects.restrict(user, "view").filter(pk=entry.pk).exists():
            return entry
        if can_view_object_of(user, entry.content_type, entry.object_id):
            return entry
        raise Http404


class ApiTokenListView(LoginRequiredMixin, TemplateView):
    """我的API令牌: the user's own API tokens (made, expires, last used), a form to make one
    (its key is shown once, on the answer to the form, and kept nowhere) and a revoke button
    for each."""

    model = ApiToken
    template_name = "core/api_tokens.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", forms.ApiTokenForm())
        ctx.update(
            title=_("My API tokens"),
            tokens=ApiToken.objects.filter(user=self.request.user),
            ttl_days=settings.API_TOKEN_TTL_DAYS,
            token_url=self.request.build_absolute_uri(reverse("api:token")),
            me_url=self.request.build_absolute_uri(reverse("api:core:user-me")),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = forms.ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                token, key = actions.create_api_token(request.user, form.cleaned_data["name"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # Rendered, not redirected: the key must not wait in a session for the next page.
                return self.render_to_response(
                    self.get_context_data(form=forms.ApiTokenForm(), new_token=token, key=key),
                    status=201,
                )
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ApiTokenRevokeView(LoginRequiredMixin, TemplateView):
    """Revoke one of the user's own tokens, after a confirmation (another user's: 404)."""

    model = ApiToken
    template_name = "core/api_token_revoke.html"

    def get_object(self) -> ApiToken:
        return get_object_or_404(ApiToken, pk=self.kwargs["pk"], user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=_("Revoke API token"), object=self.get_object())
        return ctx

    def post(self, request, *args, **kwargs):
        token = self.get_object()
        actions.revoke_api_token(token, request.user)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return HttpResponseRedirect(reverse("api_tokens"))


def permission_denied(request, exception=None):
    message = str(exception or "")
    detail = message or _("You do not have permission to do this.")
    return api_error(request, 403, detail) or render(
        request, "403.html", {"message": message}, status=403
    )


def page_not_found(request, exception=None):
    return api_error(request, 404, _("Not found.")) or render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """Django's 400 (a ``SuspiciousOperation``): a body refused for its size is a 413 that
    says the limit (``request_limits``); in the API's JSON shape under /api/, else a page in
    the user's language."""
    status, message = request_limits.refusal(exception) or (
        400,
        _("The request could not be understood."),
    )
    return api_error(request, status, message) or render(
        request, "400.html", {"message": message}, status=status
    )


def server_error(request):
    return api_error(request, 500, _("Server error. It has been logged.")) or render(
        request, "500.html", status=500
    )
