"""A case's timeline: the ``CaseEvent`` rows and the photos attached to them. The intake
writes the first events (a report opens a case or joins one), the workflow one per step;
both build them here, so every event names its actor and role the same way."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from streetbrain.core import filetypes
from streetbrain.core.roles import roles

from .models import Attachment, Case, CaseEvent

MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {
    t.mime for t in (filetypes.JPEG, filetypes.PNG, filetypes.WEBP, filetypes.GIF, filetypes.HEIC)
}


def role_of(user) -> str:
    if user is None:
        return ""
    declared = roles()
    names = [g.name for g in user.groups.all()] if user.pk else []
    for name in names:
        if name in declared:
            return name
    return "admin" if user.is_superuser else ""


def display_name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def add_event(case: Case, action: str, **kwargs) -> CaseEvent:
    event = event_row(case, action, **kwargs)
    event.save()
    return event


def event_row(
    case: Case,
    action: str,
    *,
    user=None,
    from_state: str = "",
    note: str = "",
    now: dt.datetime,
    data: dict | None = None,
    actor_name: str = "",
    department=None,
) -> CaseEvent:
    """An unsaved timeline event (``add_event`` saves it; the intake writes them in bulk)."""
    return CaseEvent(
        case=case,
        time=now,
        action=action,
        from_state=from_state,
        to_state=case.state,
        user=user if (user is not None and user.pk) else None,
        actor_name=actor_name or (display_name(user) if user is not None else ""),
        role=role_of(user),
        department=department,
        note=note,
        data=data or {},
    )


def photo_type(upload) -> filetypes.FileType:
    """What the photo is, read from its content (its name and the content type the client
    sent are only claims); ValidationError if it is no photo we keep, or too large."""
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("A photo may be at most 10 MB."), code="too_large")
    kind = filetypes.sniff_upload(upload)
    if kind is None or kind.mime not in PHOTO_TYPES:
        raise ValidationError(_("Only photos (JPEG, PNG, WebP, GIF, HEIC)."), code="not_photo")
    return kind


def attach(case: Case, files, *, event=None, report=None) -> list[Attachment]:
    """Keep ``files`` as the case's photos, each under the type its content shows (the file
    name follows it: ``models.attachment_path``). All are checked before one is kept."""
    files = list(files or [])
    try:
        kinds = [photo_type(f) for f in files]
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from None
    return [
        Attachment.objects.create(
            case=case,
            event=event,
            report=report,
            file=f,
            content_type=kind.mime,
            size=f.size,
        )
        for f, kind in zip(files, kinds, strict=True)
    ]
