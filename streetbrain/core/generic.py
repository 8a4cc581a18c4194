"""Generic pages for any scoped object type: list (filter, sort, search, paginate), detail
(with its 变更记录), create/edit and delete, and one step of a workflow on an object
(``StepView``: an HTMX form that calls an action). A new object type declares a few attributes
on subclasses of these; it writes no query, permission or audit logic of its own."""

from __future__ import annotations

import abc
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import (
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db.models import ProtectedError, Q, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from . import extension_points as ep
from .actions import reveal
from .audit import change_reason
from .estimates import EstimatingPaginator
from .models import ChangeLogEntry
from .protected import protected_names
from .scoping import permission_name, scoped_delete, scoped_save
from .search import TRIGRAM_MIN
from .text import CheckedForm, CheckedModelForm


@dataclass(frozen=True)
class Column:
    """A list column: ``accessor`` is a dotted attribute path; ``order_by`` enables sorting."""

    accessor: str
    label: str = ""
    order_by: str | None = None
    link: bool = False

    def value(self, obj):
        value = obj
        for part in self.accessor.split("."):
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = display() if callable(display) else getattr(value, part, None)
            if callable(value) and not hasattr(value, "all"):
                value = value()
        return value

    def header(self, model) -> str:
        if self.label:
            return capfirst(str(self.label))
        try:
            field = model._meta.get_field(self.accessor.split(".")[0])
        except FieldDoesNotExist:
            return self.accessor
        return capfirst(str(field.verbose_name))


class ScopedObjectMixin(LoginRequiredMixin):
    model = None
    action = "view"

    def check_permission(self):
        user = self.request.user
        if not user.has_perm(permission_name(self.model, self.action)):
            raise PermissionDenied(_("You do not have permission to do this."))

    def scoped_queryset(self, action: str | None = None):
        return self.model.objects.restrict(self.request.user, action or self.action)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.check_permission()
        return super().dispatch(request, *args, **kwargs)

    def model_context(self) -> dict:
        opts = self.model._meta
        user = self.request.user
        return {
            "model_name": opts.verbose_name,
            "model_name_plural": opts.verbose_name_plural,
            "can_add": user.has_perm(permission_name(self.model, "add")),
            "can_change": user.has_perm(permission_name(self.model, "change")),
            "can_delete": user.has_perm(permission_name(self.model, "delete")),
            "url_prefix": self.url_prefix,
        }

    @property
    def url_prefix(self) -> str:
        return f"{self.model._meta.app_label}:{self.model._meta.model_name}"


# A list searched by a fragment too short for the trigram indexes (``search.TRIGRAM_MIN``)
# counts its matches up to this many and says "more than" past it: its COUNT would read every
# row of the scope (no index serves a two-character "contains"), the count up to here stops
# as soon as it has them. Its pages go as deep as the count; its export holds every row.
COUNT_TO = 10_000


class Parts:
    """A list read as disjoint ordered querysets one after the other (``ordered_parts``):
    ``parts[a:b]`` reads rows ``a`` to ``b`` of their concatenation, a part's rows through its
    own ``LIMIT``/``OFFSET``; a part is counted only when the slice starts past its end. The
    parts' ``prefetch_related`` runs once over the rows read."""

    def __init__(self, parts: list):
        self.parts = parts

    def __getitem__(self, wanted: slice) -> list:
        start, stop = wanted.start or 0, wanted.stop
        rows: list = []
        before = 0  # rows in the parts already passed
        lookups = self.parts[0]._prefetch_related_lookups if self.parts else ()
        for part in self.parts:
            first, last = max(start - before, 0), stop - before
            if last <= 0:
                break
            got = list(part.prefetch_related(None)[first:last])
            rows += got
            if len(got) == last - first:
                break
            before += first + len(got) if got or not first else part.count()
        prefetch_related_objects(rows, *lookups)
        return rows


class ObjectListView(ScopedObjectMixin, TemplateView):
    template_name = "generic/object_list.html"
    columns: list[Column] = []
    filterset_class = None
    select_related: tuple[str, ...] = ()
    default_order: tuple[str, ...] = ()
    hidden_filters: tuple[str, ...] = ()  # filters this list's own restriction makes moot
    paginate_by = 50
    title = None

    def get_queryset(self):
        qs = self.scoped_queryset()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return self.with_extras(qs)

    def list_extras(self) -> list[ep.ListExtra]:
        """What other apps add to this list for this user (``ListExtra``)."""
        return ep.for_target(ep.ListExtra, self.model, self.request.user)

    def with_extras(self, qs):
        for extra in self.list_extras():
            if extra.annotate is not None:
                qs = extra.annotate(qs)
        return qs

    def get_columns(self) -> list[Column]:
        return [*self.columns, *(c for extra in self.list_extras() for c in extra.columns)]

    def ordered(self, qs):
        """The list in its own order, when the user asks for no other (``default_order``)."""
        return qs.order_by(*self.default_order) if self.default_order else qs

    def ordered_parts(self, qs, sort: str) -> list | None:
        """``qs`` in its order (``sort``, the column the user sorts by, or "" for the list's
        own) as disjoint querysets to read one after the other, where one ``ORDER BY`` would
        read or sort most rows of a large list for each page (a ranking no index holds, a
        filter the sort's index cannot bound); None reads ``qs``. Pages then read only their
        rows (``Parts``). ``self.filterset`` holds the list's filters."""
        return None

    def get(self, request, *args, **kwargs):
        """The list; a filter value it cannot use shows as the filter form's error with no
        rows, answered 400 (200 to HTMX, which swaps only 2xx answers: the error comes inside
        the table it swaps)."""
        ctx = self.get_context_data(**kwargs)
        filterset = ctx.get("filterset")
        refused = filterset is not None and bool(filterset.errors)
        return self.render_to_response(ctx, status=400 if refused and not request.htmx else 200)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        columns = self.get_columns()
        qs = self.get_queryset()
        filterset = None
        refused = False
        if self.filterset_class:
            filterset = self.filterset_class(self.request.GET, queryset=qs, request=self.request)
            for name in self.hidden_filters:
                filterset.filters.pop(name, None)
            refused = not filterset.is_valid()
            qs = qs.none() if refused else filterset.qs
        sortable = {c.order_by: c for c in columns if c.order_by}
        sort = self.request.GET.get("sort", "")
        key = sort.lstrip("-")
        self.filterset = filterset
        if key in sortable:
            qs = qs.order_by(sort, "pk")
            parts = self.ordered_parts(qs, sort)
        else:
            qs = self.ordered(qs)
            parts = self.ordered_parts(qs, "")
        try:
            per_page = min(max(int(self.request.GET.get("per_page", self.paginate_by)), 10), 500)
        except ValueError:
            per_page = self.paginate_by
        text = (filterset.form.cleaned_data.get("q") or "") if filterset and not refused else ""
        short = bool(text) and len(text.strip()) < TRIGRAM_MIN
        page = EstimatingPaginator(
            qs,
            per_page,
            count_to=COUNT_TO if short else None,
            rows=Parts(parts) if parts is not None else None,
        ).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        rows = [(obj, [(c, c.value(obj)) for c in columns]) for obj in page.object_list]
        ctx.update(
            self.model_context(),
            title=self.title or self.model._meta.verbose_name_plural,
            columns=[(c, c.header(self.model)) for c in columns],
            rows=rows,
            page=page,
            filterset=filterset,
            sort=sort,
            querystring=query.urlencode(),
            total=page.paginator.count,
            total_estimated=page.paginator.estimated,
            total_at_least=page.paginator.at_least,
        )
        return ctx


class ObjectDetailView(ScopedObjectMixin, TemplateView):
    template_name = "generic/object_detail.html"
    fields: list[Column] = []
    select_related: tuple[str, ...] = ()

    def get_object(self):
        qs = self.scoped_queryset()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def type_label(self, obj) -> str:
        return str(self.model._meta.verbose_name)

    def protected_rows(self, obj) -> list[dict]:
        """Protected values shown masked, with a reveal button for those allowed."""
        permission = getattr(self.model, "reveal_permission", "")
        may_reveal = bool(permission) and self.request.user.has_perm(permission)
        rows = []
        for name in protected_names(self.model):
            masked = getattr(obj, f"{name}_masked")
            field = self.model._meta.get_field(f"{name}_masked")
            rows.append(
                {
                    "name": name,
                    "label": capfirst(str(field.verbose_name)),
                    "masked": masked,
                    "can_reveal": may_reveal and bool(masked),
                    "reveal_url": reverse(f"{self.url_prefix}_reveal", args=[obj.pk])
                    if may_reveal
                    else "",
                }
            )
        return rows

    def related_tables(self, obj) -> list[dict]:
        """Override to show related objects: [{title, columns, rows, url}]"""
        return []

    def related_panels(self, obj) -> list[dict]:
        """What other apps show on this page (``RelatedPanel``: the shop's cases, from the
        case engine), rendered: [{key, html}]. A panel without content is left out."""
        return render_related_panels(obj, self.request)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.get_object()
        ctx.update(
            self.model_context(),
            object=obj,
            protected_rows=self.protected_rows(obj),
            type_label=self.type_label(obj),
            title=str(obj),
            field_rows=[(c.header(self.model), c.value(obj), c) for c in self.fields],
            related=self.related_tables(obj),
            related_panels=self.related_panels(obj),
            changelog=object_changelog(obj)[:20],
            changelog_url=reverse("core:changelog_list")
            + f"?object_type={obj._meta.app_label}.{obj._meta.model_name}&object_id={obj.pk}",
        )
        return ctx


def table(title, model, columns: list[Column], objects, url: str = "") -> dict:
    """A related table as the detail page draws it: {title, columns, rows, url}."""
    return {
        "title": title,
        "columns": [c.header(model) for c in columns],
        "rows": [(o, [c.value(o) for c in columns]) for o in objects],
        "url": url,
    }


def render_related_panels(obj, request) -> list[dict]:
    """The ``RelatedPanel``s other apps declare for ``obj``'s model, for ``request``'s user:
    [{key, html}] in their order."""
    from django.template.loader import render_to_string

    out = []
    for panel in ep.for_target(ep.RelatedPanel, type(obj), request.user):
        context = panel.build(obj, request.user)
        if not context:
            continue
        html = render_to_string(panel.template, {**context, "object": obj}, request=request)
        out.append({"key": panel.key, "html": html})
    return out


def object_changelog(obj):
    """An object's own changes and those of its children (e.g. a building's houses)."""
    ct = ContentType.objects.get_for_model(type(obj))
    return ChangeLogEntry.objects.filter(
        Q(content_type=ct, object_id=str(obj.pk))
        | Q(related_content_type=ct, related_object_id=str(obj.pk))
    ).select_related("content_type")


class ReasonFormMixin(CheckedForm):
    _change_reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Optional; kept in the change log."),
    )


class ObjectEditView(ScopedObjectMixin, TemplateView):
    template_name = "generic/object_edit.html"
    form_class = None

    @property
    def action(self):  # add for a new object, change for an existing one
        return "change" if "pk" in self.kwargs else "add"

    def get_object(self):
        if "pk" in self.kwargs:
            return get_object_or_404(self.scoped_queryset("change"), pk=self.kwargs["pk"])
        return self.model()

    def get_form(self, obj, data=None):
        form = self.form_class(data=data, instance=obj, user=self.request.user)
        return form

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_to_response(self.edit_context(obj, self.get_form(obj)))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            obj = form.save(commit=False)
            try:
                scoped_save(obj, request.user, action=self.action)
                form.save_m2m()
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(type)s “%(object)s” saved.")
                    % {"type": self.model._meta.verbose_name, "object": obj},
                )
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_to_response(self.edit_context(obj, form), status=400)

    def edit_context(self, obj, form):
        return {
            **self.model_context(),
            "object": obj,
            "form": form,
            "title": str(obj)
            if obj.pk
            else _("New %(type)s") % {"type": self.model._meta.verbose_name},
            "view": self,
        }


class ObjectDeleteView(ScopedObjectMixin, TemplateView):
    template_name = "generic/object_delete.html"
    action = "delete"

    def get_object(self):
        return get_object_or_404(self.scoped_queryset("delete"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.model_context(), object=self.get_object())
        ctx["title"] = str(ctx["object"])
        return ctx

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            scoped_delete(obj, request.user)
        except ProtectedError:
            messages.error(
                request,
                _("“%(object)s” is still in use by other records and cannot be deleted.")
                % {"object": obj},
            )
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("“%(object)s” deleted.") % {"object": obj})
        return HttpResponseRedirect(reverse(f"{self.url_prefix}_list"))


class ScopedModelForm(CheckedModelForm, ReasonFormMixin):
    """A model form whose choices are limited to what the user may see."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is not None and hasattr(qs, "restrict") and user is not None:
                field.queryset = qs.restrict(user, "view")


class ObjectRevealView(ScopedObjectMixin, View):
    """POST: reveal one protected field of an object (logged); answers an HTML fragment for
    HTMX. The permission is the model's ``reveal_permission``; the scope is the view scope."""

    def post(self, request, *args, **kwargs):
        obj = get_object_or_404(self.scoped_queryset("view"), pk=kwargs["pk"])
        field = request.POST.get("field", "")
        try:
            values = reveal(obj, [field], request.user, reason=request.POST.get("reason", ""))
        except ValueError:
            return HttpResponse(status=400)
        return HttpResponse(
            format_html(
                '<span class="revealed" title="{}">{}</span>',
                _("Revealed: this view is logged."),
                values[field],
            )
        )


# --- one step of a workflow on one object ------------------------------------------------------


def safe_next(request) -> str:
    """The ``next`` address of the request if it stays on this site, else ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if ok else ""


def apply_errors(form: forms.Form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Put an action's ``ValidationError`` on the form: messages keyed by an input on its field
    (the action's names mapped by ``aliases``), the rest (e.g. "This warning is closed.") on
    the form itself."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = aliases.get(key, key)
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class StepView(LoginRequiredMixin, View, metaclass=abc.ABCMeta):
    """One step of a workflow on one object (assign a warning, sign a lease, dispatch a case):
    GET the step's form (an HTMX fragment, or a page without JavaScript); POST calls the
    action. A role without ``permission`` is a 403 (before the object is looked up: the answer
    tells nothing about objects out of scope), an object outside the user's scope a 404, bad
    input the form again with its errors — the action's too, in the user's language — and
    nothing changed; done, a message and a redirect (``HX-Redirect`` for HTMX) to ``next``
    when it stays on the site, else ``done_url()``.

    A view of one step declares ``model``, ``step``, ``label``, ``permission``, ``form_class``,
    ``fragment`` and ``page`` and writes ``action_url`` and ``perform``. A view of several
    steps (a ``<name>`` in its URL) declares ``steps`` (name → (label, form class,
    permission)) or overrides ``select_step``. ``problem()`` says why the step is not possible
    on the object as it is: the GET answers the form's place with it (409)."""

    model = None
    scope_action = "change"  # the object must be in the user's scope for this
    select_related: tuple[str, ...] = ()
    steps: dict | None = None
    step = ""
    label = ""
    permission = ""
    form_class = None
    fragment = ""  # the form as an HTMX fragment
    page = ""  # the form on a page of its own
    note_is_reason = True  # the form's note is also the change log's reason
    error_aliases: dict[str, str] = {}  # the action's input names → the form's fields

    def select_step(self, name: str | None) -> None:
        """Set ``step``, ``label``, ``form_class`` and ``permission`` from the URL's step name
        (404 for an unknown one); views of one step have no name and keep their own."""
        if self.steps is None:
            return
        if name not in self.steps:
            raise Http404(_("Unknown action."))
        self.step = name
        self.label, self.form_class, self.permission = self.steps[name]

    def setup_step(self, request, pk, name=None, **kwargs) -> None:
        self.select_step(name)
        if not request.user.has_perm(self.permission):
            raise PermissionDenied(_("Your role may not do this."))
        self.object = self.get_object(pk)

    def get_object(self, pk):
        qs = self.model.objects.restrict(self.request.user, self.scope_action)
        return get_object_or_404(qs.select_related(*self.select_related), pk=pk)

    def form_kwargs(self) -> dict:
        return {}

    def get_initial(self, request) -> dict:
        return {}

    def make_form(self, data=None, files=None, initial=None):
        return self.form_class(data, files, initial=initial or {}, **self.form_kwargs())

    def problem(self) -> str:
        """Why the step is not possible on the object as it is, or ""."""
        return ""

    @abc.abstractmethod
    def action_url(self) -> str:
        """Where the step's form posts."""

    @abc.abstractmethod
    def perform(self, form, user) -> None:
        """Call the action with the valid ``form``'s inputs; a ``ValidationError`` goes back
        onto the form and nothing is changed."""

    def done_url(self) -> str:
        """Where the user goes once the step is done (without a ``next``)."""
        return self.object.get_absolute_url()

    def page_title(self) -> str:
        return f"{self.label}: {self.object}"

    def step_context(self) -> dict:
        """More for the templates (e.g. the object under the name they know it by)."""
        return {}

    def render_form(self, request, form, *, status=200, problem=""):
        back = safe_next(request)
        ctx = {
            "object": self.object,
            "step": self.step,
            "label": self.label,
            "form": form,
            "problem": problem,
            "title": self.page_title(),
            "action_url": self.action_url(),
            "next": back,
            "back_url": back or self.done_url(),
            **self.step_context(),
        }
        if request.htmx:
            return render(request, self.fragment, ctx)  # HTMX swaps only 2xx answers
        return render(request, self.page, ctx, status=status)

    def get(self, request, pk, **kwargs):
        self.setup_step(request, pk, **kwargs)
        problem = self.problem()
        form = self.make_form(initial=self.get_initial(request))
        return self.render_form(request, form, status=409 if problem else 200, problem=problem)

    def post(self, request, pk, **kwargs):
        self.setup_step(request, pk, **kwargs)
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            note = (form.cleaned_data.get("note") or "").strip() if self.note_is_reason else ""
            try:
                if note:
                    with change_reason(note):
                        self.perform(form, request.user)
                else:
                    self.perform(form, request.user)
            except ValidationError as exc:
                apply_errors(form, exc, self.error_aliases)
            else:
                messages.success(request, _("%(action)s: done.") % {"action": self.label})
                url = safe_next(request) or self.done_url()
                if request.htmx:
                    response = HttpResponse(status=200)
                    response["HX-Redirect"] = url
                    return response
                return HttpResponseRedirect(url)
        return self.render_form(request, form, status=400)
