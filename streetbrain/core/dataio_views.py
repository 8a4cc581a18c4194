"""Import and export pages for any object type with an ``ImportSpec`` (see ``core.dataio``).

Wiring one type takes two URL patterns::

    path("buildings/import/", ObjectImportView.as_view(spec_key="buildings"),
         name="building_import"),
    path("buildings/export/", ObjectExportView.as_view(
        spec_key="buildings", filterset_class=BuildingFilterSet), name="building_export"),

The import page checks and previews first (dry run, the default) and keeps the uploaded file
in a private temporary file under ``MEDIA_ROOT/imports`` named by a signed token, so that
"confirm" imports exactly the file that was previewed. Imports run in the request: up to
``max_rows`` rows (the command line ``streetbrain import`` takes any size and shows progress).
"""

from __future__ import annotations

import re
import time
import uuid
from functools import cached_property
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from . import dataio
from .scoping import permission_name

SIGNING_SALT = "streetbrain.dataio.import"  # namespaces the signature; not a secret
TOKEN_MAX_AGE = 3600  # seconds a previewed file can be confirmed
STALE_AFTER = 24 * 3600  # temporary files older than this are removed
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")
PREVIEW_LIMIT = 200
ERROR_LIMIT = 1000


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _remove_stale_uploads() -> None:
    cutoff = time.time() - STALE_AFTER
    for path in upload_dir().glob("*"):
        try:
            if UPLOAD_NAME.match(path.name) and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


class ImportForm(forms.Form):
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


class ObjectImportView(DataIOMixin, TemplateView):
    """GET: the upload form and the columns; POST: check (dry run) or import the file."""

    template_name = "generic/object_import.html"
    max_rows = 20_000
    max_bytes = 20 * 1024 * 1024

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            user.has_perm(permission_name(self.model, "add"))
            or user.has_perm(permission_name(self.model, "change"))
        ):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)

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

    def page(self, *, form=None, report=None, token="", reason="", status=200):
        opts = self.model._meta
        export_url = self.export_url()
        ctx = {
            "title": _("Import %(type)s") % {"type": opts.verbose_name_plural},
            "model_name": opts.verbose_name,
            "model_name_plural": opts.verbose_name_plural,
            "form": form,
            "report": report,
            "token": token,
            "reason": reason,
            "columns": self.columns(),
            "record_id_header": dataio.RECORD_ID_HEADER if self.spec.uses_record_id else "",
            "list_url": self.list_url(),
            "template_url": f"{export_url}?template=1&format=xlsx" if export_url else "",
            "max_rows": self.max_rows,
        }
        if report is not None:
            ctx["errors"] = report.errors[:ERROR_LIMIT]
            ctx["more_errors"] = max(len(report.errors) - ERROR_LIMIT, 0)
            ctx["preview"] = report.preview[:PREVIEW_LIMIT]
            ctx["more_preview"] = max(len(report.preview) - PREVIEW_LIMIT, 0)
            if report.written and report.request_id:
                try:
                    ctx["changelog_url"] = (
                        reverse("core:changelog_list") + f"?request_id={report.request_id}"
                    )
                except NoReverseMatch:
                    pass
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
        reason = form.cleaned_data["_change_reason"]
        dry_run = form.cleaned_data["dry_run"]
        data = upload.read()
        report = self.run(data, dry_run=dry_run, reason=reason)
        if report.ok and dry_run and (report.created or report.updated):
            token = self.keep(data, Path(upload.name).suffix.lower(), reason)
            return self.page(report=report, token=token, reason=reason)
        if report.written:
            messages.success(request, report.summary())
        return self.page(
            form=ImportForm(max_bytes=self.max_bytes, initial={"_change_reason": reason}),
            report=report,
            status=200 if report.ok else 400,
        )

    def confirm(self, request):
        try:
            payload = signing.loads(request.POST["token"], salt=SIGNING_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            payload = None
        if (
            not payload
            or payload.get("u") != request.user.pk
            or payload.get("s") != self.spec_key
            or not UPLOAD_NAME.match(payload.get("f", ""))
        ):
            return self.expired()
        path = upload_dir() / payload["f"]
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return self.expired()
        try:
            report = self.run(data, dry_run=False, reason=request.POST.get("_change_reason", ""))
        finally:
            path.unlink(missing_ok=True)
        if report.written:
            messages.success(request, report.summary())
        return self.page(
            form=ImportForm(max_bytes=self.max_bytes),
            report=report,
            status=200 if report.ok else 400,
        )

    def expired(self):
        messages.error(
            self.request,
            _("The checked file is no longer available: upload it again."),
        )
        return self.page(form=ImportForm(max_bytes=self.max_bytes), status=400)

    def run(self, data: bytes, *, dry_run: bool, reason: str) -> dataio.ImportReport:
        return dataio.run_import(
            self.spec,
            data,
            self.request.user,
            dry_run=dry_run,
            reason=reason,
            max_rows=self.max_rows,
        )

    def keep(self, data: bytes, suffix: str, reason: str) -> str:
        """Keep the checked file for the confirmation; return the signed token naming it."""
        directory = upload_dir()
        directory.mkdir(parents=True, exist_ok=True)
        _remove_stale_uploads()
        kind = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
        name = f"{uuid.uuid4().hex}.{kind}"
        path = directory / name
        path.touch(mode=0o600)
        path.write_bytes(data)
        return signing.dumps(
            {"f": name, "u": self.request.user.pk, "s": self.spec_key}, salt=SIGNING_SALT
        )


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
            qs = filterset.qs if filterset.is_valid() else qs.none()
        reveal = request.GET.get("reveal") == "1"
        data = dataio.export_file(
            self.spec,
            qs,
            fmt,
            reveal_for=user if reveal else None,
            user=user,
            reason=_("Export with plain values") if reveal else "",
        )
        response = HttpResponse(data, content_type=dataio.CONTENT_TYPES[fmt])
        filename = f"{self.spec.verbose_name}-{timezone.localdate():%Y%m%d}.{fmt}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        response["Cache-Control"] = "no-store"
        return response
