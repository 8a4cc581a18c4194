"""Import and export pages for any object type with an ``ImportSpec`` (see ``core.dataio``).

Wiring one type takes three URL patterns, named ``<model>_import``, ``<model>_import_job`` and
``<model>_export`` in one namespace (the import page finds its job pages by that name)::

    path("buildings/import/", ObjectImportView.as_view(spec_key="buildings"),
         name="building_import"),
    path("buildings/import/jobs/<int:pk>/", ImportJobView.as_view(spec_key="buildings"),
         name="building_import_job"),
    path("buildings/export/", ObjectExportView.as_view(
        spec_key="buildings", filterset_class=BuildingFilterSet), name="building_export"),

An upload becomes an :class:`~streetbrain.core.models.ImportJob` run by a background task
(Celery: a worker through Redis in production, eagerly in the demo and the tests); the page
redirects to the job's page, which shows its progress (polling with HTMX while it runs) and
then its report. The upload checks and previews first (dry run, the default): the file stays
under ``IMPORT_DIR (private)`` and "confirm" imports exactly the file that was checked, as a new
job. Up to ``max_rows`` rows per file (the command line ``streetbrain import`` takes any size).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from . import dataio, importjobs
from .filtersets import refused_filters
from .importjobs import upload_dir
from .models import ImportJob
from .scoping import permission_name
from .text import CheckedForm

SIGNING_SALT = "streetbrain.dataio.import"  # namespaces the signature; not a secret
TOKEN_MAX_AGE = 3600  # seconds a checked file can be confirmed after its page was shown
RECENT_JOBS = 5  # the user's recent jobs the import page lists


class ImportForm(CheckedForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or GB18030) or Excel .xlsx; the header in row 1."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only (dry run): show what would change, write nothing"),
        required=False,
        initial=True,
    )
    _change_reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Optional; kept in the change log."),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in (".csv", ".xlsx", ".txt"):
            raise forms.ValidationError(_("Upload a CSV or an Excel .xlsx file."))
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB: split it, or use the command line.")
                % {"mb": self.max_bytes // (1024 * 1024)}
            )
        # What it is, by its content: a table (or an old Excel file, which the job explains),
        # not whatever else was renamed to .csv or .xlsx.
        if importjobs.upload_type(upload.read()) is None:
            raise forms.ValidationError(_("This file is neither CSV text nor an Excel file."))
        upload.seek(0)
        return upload


class DataIOMixin(LoginRequiredMixin):
    spec_key = ""

    @cached_property
    def spec(self) -> dataio.ImportSpec:
        return dataio.get_spec(self.spec_key)

    @property
    def model(self):
        return self.spec.model

    def list_url(self) -> str:
        opts = self.model._meta
        try:
            return reverse(f"{opts.app_label}:{opts.model_name}_list")
        except NoReverseMatch:
            return ""

    def export_url(self) -> str:
        opts = self.model._meta
        try:
            return reverse(f"{opts.app_label}:{opts.model_name}_export")
        except NoReverseMatch:
            return ""

    def sibling_url(self, suffix: str, **kwargs) -> str:
        """The URL of this type's ``<model>_<suffix>`` page in the namespace of this page."""
        namespace = self.request.resolver_match.namespace
        name = f"{self.model._meta.model_name}_{suffix}"
        return reverse(f"{namespace}:{name}" if namespace else name, kwargs=kwargs or None)

    def job_url(self, job: ImportJob) -> str:
        return self.sibling_url("import_job", pk=job.pk)


class ImportPermissionMixin(DataIOMixin):
    """Imports need the add or change permission of the type."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            user.has_perm(permission_name(self.model, "add"))
            or user.has_perm(permission_name(self.model, "change"))
        ):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)

    def base_context(self) -> dict:
        opts = self.model._meta
        return {
            "title": _("Import %(type)s") % {"type": opts.verbose_name_plural},
            "model_name": opts.verbose_name,
            "model_name_plural": opts.verbose_name_plural,
            "list_url": self.list_url(),
        }


class ObjectImportView(ImportPermissionMixin, TemplateView):
    """GET: the upload form, the columns and the user's recent imports of the type; POST: start
    a job that checks (dry run) or imports the file, or confirm a checked file (``token``)."""

    template_name = "generic/object_import.html"
    # The job runs in the background, so a request no longer waits for it: the limits are
    # what a worker reads into memory comfortably.
    max_rows = 200_000
    max_bytes = 50 * 1024 * 1024

    def columns(self) -> list[dict]:
        return [
            {
                "header": "、".join(f.headers),
                "required": f.required or f.attr in self.spec.key,
                "key": f.attr in self.spec.key,
                "hint": f.describe(),
            }
            for f in self.spec.fields
        ]

    def page(self, *, form=None, status=200):
        export_url = self.export_url()
        jobs = ImportJob.objects.filter(user=self.request.user, spec_key=self.spec_key)[
            :RECENT_JOBS
        ]
        ctx = {
            **self.base_context(),
            "form": form,
            "columns": self.columns(),
            "record_id_header": dataio.RECORD_ID_HEADER if self.spec.uses_record_id else "",
            "template_url": f"{export_url}?template=1&format=xlsx" if export_url else "",
            "max_rows": self.max_rows,
            "recent_jobs": [(job, self.job_url(job)) for job in jobs],
        }
        return self.render_to_response(ctx, status=status)

    def get(self, request, *args, **kwargs):
        return self.page(form=ImportForm(max_bytes=self.max_bytes))

    def post(self, request, *args, **kwargs):
        if request.POST.get("token"):
            return self.confirm(request)
        form = ImportForm(request.POST, request.FILES, max_bytes=self.max_bytes)
        if not form.is_valid():
            return self.page(form=form, status=400)
        upload = form.cleaned_data["file"]
        job = importjobs.start_import_job(
            self.spec_key,
            upload.read(),
            request.user,
            dry_run=form.cleaned_data["dry_run"],
            reason=form.cleaned_data["_change_reason"],
            original_name=upload.name or "",
            max_rows=self.max_rows,
            request_id=getattr(request, "id", None),
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        return redirect(self.job_url(job))

    def confirm(self, request):
        try:
            payload = signing.loads(request.POST["token"], salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            payload = None
        checked = None
        if (
            isinstance(payload, dict)
            and payload.get("u") == request.user.pk
            and payload.get("s") == self.spec_key
        ):
            checked = ImportJob.objects.filter(
                pk=payload.get("j"), user=request.user, spec_key=self.spec_key
            ).first()
        job = None
        if checked is not None:
            job = importjobs.confirm_import_job(
                checked,
                request.user,
                reason=request.POST.get("_change_reason", ""),
                request_id=getattr(request, "id", None),
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
        if job is None:
            return self.expired()
        return redirect(self.job_url(job))

    def expired(self):
        messages.error(
            self.request,
            _("The checked file is no longer available: upload it again."),
        )
        return self.page(form=ImportForm(max_bytes=self.max_bytes), status=400)


class ImportJobView(ImportPermissionMixin, TemplateView):
    """An import job's page: its progress while it runs, then its report (errors, or the
    preview of a check with its "confirm" button, or the counts and the change log link).
    HTMX requests get the status section only; it polls itself every second until the job
    has finished. Users see their own jobs (superusers all); others are 404."""

    template_name = "generic/import_job.html"
    partial_template_name = "generic/import_job_status.html"

    def get_template_names(self) -> list[str]:
        return [self.partial_template_name if self.request.htmx else self.template_name]

    def get_context_data(self, **kwargs) -> dict:
        job = get_object_or_404(
            ImportJob.visible_to(self.request.user), pk=kwargs["pk"], spec_key=self.spec_key
        )
        report = job.report or {}
        ctx = {
            **self.base_context(),
            "job": job,
            "report": report,
            "running": not job.finished,
            "import_url": self.sibling_url("import"),
        }
        if job.status == ImportJob.Status.DONE:
            ctx["more_errors"] = max(report["error_count"] - len(report["errors"]), 0)
            ctx["more_preview"] = max(report["preview_count"] - len(report["preview"]), 0)
        if job.written and report.get("request_id"):
            try:
                ctx["changelog_url"] = (
                    reverse("core:changelog_list") + f"?request_id={report['request_id']}"
                )
            except NoReverseMatch:
                pass
        if job.confirmable and job.user_id == self.request.user.pk:
            confirmed = ImportJob.objects.filter(file_name=job.file_name, dry_run=False).first()
            if confirmed is not None:
                ctx["confirmed_url"] = self.job_url(confirmed)
            elif (upload_dir() / job.file_name).is_file():
                ctx["token"] = signing.dumps(
                    {"j": job.pk, "u": self.request.user.pk, "s": self.spec_key},
                    salt=SIGNING_SALT,
                )
        return ctx

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The same URL answers the page and its polled section; neither may come from a cache.
        patch_vary_headers(response, ["HX-Request"])
        add_never_cache_headers(response)
        return response


def streamed(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """A streamed body's pieces in the request's language (the response is read after the
    view has returned and the locale middleware has let go of it)."""
    language = translation.get_language()
    with translation.override(language):
        yield from pieces


class ObjectExportView(DataIOMixin, View):
    """The list's filtered, scoped objects as CSV (``?format=csv``, the default) or XLSX.
    ``?template=1`` gives the header row only; ``?reveal=1`` exports protected values in plain
    text for users with the reveal permission (every exported object is logged as revealed)."""

    filterset_class = None

    def get(self, request, *args, **kwargs):
        user = request.user
        if not user.has_perm(permission_name(self.model, "view")):
            raise PermissionDenied(_("You do not have permission to do this."))
        fmt = request.GET.get("format", "csv")
        if fmt not in dataio.CONTENT_TYPES:
            return HttpResponseBadRequest(_("Unknown format."))
        qs = self.model._default_manager.restrict(user, "view")
        if request.GET.get("template"):
            qs = qs.none()
        elif self.filterset_class is not None:
            filterset = self.filterset_class(request.GET, queryset=qs, request=request)
            if not filterset.is_valid():
                return refused_filters(filterset)
            qs = filterset.qs
        reveal = request.GET.get("reveal") == "1"
        filename = f"{self.spec.verbose_name}-{timezone.localdate():%Y%m%d}.{fmt}"
        if fmt == "csv" and not reveal:
            # Streamed: the first rows leave at once and memory stays flat at any size. (A
            # revealing export logs every object it reveals, so it is written whole first.)
            response = StreamingHttpResponse(
                streamed(dataio.stream_csv(dataio.iter_export_rows(self.spec, qs, user=user))),
                content_type=dataio.CONTENT_TYPES[fmt],
            )
            response["Content-Disposition"] = content_disposition_header(True, filename)
            response["Cache-Control"] = "no-store"
            return response
        data = dataio.export_file(
            self.spec,
            qs,
            fmt,
            reveal_for=user if reveal else None,
            user=user,
            reason=_("Export with plain values") if reveal else "",
        )
        response = HttpResponse(data, content_type=dataio.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response
