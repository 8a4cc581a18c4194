"""The change log: every create, update and delete of an audited model, whichever way it came
(pages, API, admin, import, CLI, tasks), is written with who, when, request id, channel,
before/after snapshots and an optional reason.

Recording happens on the model signals, as NetBox does, because that is the one place every
channel passes through (admin and management commands included). The *context* (user, request,
channel, reason) is set by whoever starts the work: the middleware for requests, the CLI for
commands, tasks for themselves, through :func:`audit_context`.

Bulk ``QuerySet.update()``/``bulk_create`` bypass signals; code that uses them must call
:func:`log_change` itself (the importers do).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import hashlib
import hmac
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .models import ChangeLogEntry
from .scoping import resolve_path

REDACTED = "******"


@dataclass(frozen=True)
class AuditContext:
    user: Any = None
    source: str = "system"
    request_id: uuid.UUID | None = None
    reason: str = ""
    remote_addr: str | None = None
    request: Any = None  # resolved lazily: DRF authenticates inside the view
    actor_name: str = ""  # who acted when no platform user did ("cli:root")

    def resolved_user(self):
        user = self.user
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and not getattr(user, "is_authenticated", False):
            return None
        return user


# The default is a frozen dataclass: immutable, so sharing it is safe.
_context: ContextVar[AuditContext] = ContextVar(
    "audit_context",
    default=AuditContext(),  # noqa: B039
)


def current() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def audit_context(**kwargs) -> Iterator[AuditContext]:
    """Run a block with the given audit context fields (user, source, reason, request_id …);
    fields not given are inherited from the enclosing context."""
    ctx = replace(_context.get(), **kwargs)
    if ctx.request_id is None:
        ctx = replace(ctx, request_id=uuid.uuid4())
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


@contextlib.contextmanager
def change_reason(reason: str) -> Iterator[None]:
    with audit_context(reason=reason):
        yield


# --- which models are audited ---------------------------------------------------------------

_EXTRA_AUDITED: dict[type[models.Model], dict[str, set[str]]] = {}


def register(model: type[models.Model], *, redact=(), ignore=()) -> None:
    """Audit a model we do not own (auth groups)."""
    _EXTRA_AUDITED[model] = {"redact": set(redact), "ignore": set(ignore)}


def is_audited(model: type[models.Model]) -> bool:
    return bool(getattr(model, "audit_enabled", False)) or model in _EXTRA_AUDITED


def _options(model) -> tuple[set[str], set[str]]:
    extra = _EXTRA_AUDITED.get(model, {})
    redact = set(getattr(model, "audit_redact", set())) | extra.get("redact", set())
    ignore = set(getattr(model, "audit_ignore", set())) | extra.get("ignore", set())
    return redact, ignore


def _jsonable(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return REDACTED
    return value


def _fingerprint(value) -> str | None:
    """A protected value in a snapshot: a keyed fingerprint shows *that* it changed, never
    what it is."""
    if value in (None, ""):
        return value
    digest = hmac.new(settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256)
    return f"{REDACTED}#{digest.hexdigest()[:8]}"


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The object's field values as JSON: foreign keys as ids, many-to-many as sorted ids,
    protected fields replaced by a marker (their change is still recorded)."""
    model = type(instance)
    redact, ignore = _options(model)
    data: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.name in ignore:
            continue
        value = field.value_from_object(instance)
        if field.name in redact or getattr(field, "protected_data", False):
            data[field.name] = _fingerprint(value)
            continue
        data[field.name] = _jsonable(value)
    if instance.pk is not None:
        for field in model._meta.many_to_many:
            if field.name not in ignore:
                data[field.name] = sorted(o.pk for o in field.value_from_object(instance))
    return data


def _changed(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def _related(instance) -> tuple[ContentType | None, str]:
    parent_attr = getattr(type(instance), "audit_parent", None)
    if not parent_attr:
        return None, ""
    parent = getattr(instance, parent_attr, None)
    if parent is None:
        return None, ""
    return ContentType.objects.get_for_model(parent), str(parent.pk)


def _entry(ctx: AuditContext, user, instance, action, prechange, postchange, changed_fields):
    """One unsaved change-log entry for ``instance`` in ``ctx``: the single place that maps the
    audit context and the object onto the log's columns (single and bulk writes share it)."""
    related_ct, related_id = _related(instance)
    return ChangeLogEntry(
        user=user,
        user_name=user.get_username() if user else (ctx.actor_name or ctx.source),
        request_id=ctx.request_id,
        source=ctx.source,
        remote_addr=ctx.remote_addr,
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),  # cached by Django
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        related_content_type=related_ct,
        related_object_id=related_id,
        org_unit_path=resolve_path(instance),
        prechange=prechange,
        postchange=postchange,
        changed_fields=changed_fields,
        reason=ctx.reason[:500],
    )


def log_change(
    instance: models.Model,
    action: str,
    *,
    prechange: dict | None = None,
    postchange: dict | None = None,
    changed_fields: list[str] | None = None,
) -> Any:
    """Write one change log entry for ``instance`` in the current audit context."""
    ctx = current()
    if changed_fields is None:
        changed_fields = _changed(prechange, postchange)
    entry = _entry(
        ctx, ctx.resolved_user(), instance, action, prechange, postchange, changed_fields
    )
    entry.save()
    return entry


def log_bulk(instances, action: str, *, prechanges: list[dict | None] | None = None) -> int:
    """Write change-log entries for objects created or updated in bulk (``bulk_create`` and
    ``bulk_update`` bypass the signals). One entry per object, written in batches, with the
    same context fields as single changes. ``prechanges`` are the snapshots before an update."""
    ctx = current()
    user = ctx.resolved_user()
    entries = []
    for i, instance in enumerate(instances):
        before = prechanges[i] if prechanges else None
        after = snapshot(instance) if action != "delete" else None
        changed = _changed(before, after) if action == "update" else []
        entries.append(_entry(ctx, user, instance, action, before, after, changed))
    ChangeLogEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


# --- signal receivers -----------------------------------------------------------------------


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not is_audited(sender):
        return
    ctx_user = current().resolved_user()
    if hasattr(instance, "updated_by_id") and ctx_user is not None:
        instance.updated_by = ctx_user
        if instance._state.adding and hasattr(instance, "created_by_id"):
            instance.created_by = ctx_user
    if instance._state.adding or instance.pk is None:
        instance._audit_prechange = None
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_prechange = snapshot(old) if old is not None else None


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not is_audited(sender):
        return
    before = None if created else getattr(instance, "_audit_prechange", None)
    after = snapshot(instance)
    changed = [] if created else _changed(before, after)
    if not created and not changed:
        return  # a save that changed nothing audited (e.g. last_login) is not a change
    log_change(
        instance,
        "create" if created else "update",
        prechange=before,
        postchange=after,
        changed_fields=changed,
    )
    instance._audit_prechange = after


def _post_delete(sender, instance, **kwargs):
    if not is_audited(sender):
        return
    log_change(instance, "delete", prechange=snapshot(instance), postchange=None, changed_fields=[])


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if reverse or not is_audited(type(instance)):
        return
    field = next(
        (f for f in type(instance)._meta.many_to_many if f.remote_field.through is sender), None
    )
    if field is None:
        return
    if action.startswith("pre_"):
        instance._audit_m2m_before = sorted(
            getattr(instance, field.name).values_list("pk", flat=True)
        )
        return
    if not action.startswith("post_"):
        return
    before_ids = getattr(instance, "_audit_m2m_before", None)
    after_ids = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    if before_ids == after_ids:
        return
    log_change(
        instance,
        "update",
        prechange={field.name: before_ids},
        postchange={field.name: after_ids},
        changed_fields=[field.name],
    )


def connect_signals() -> None:
    register(Group)
    pre_save.connect(_pre_save, dispatch_uid="audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="audit_post_save")
    post_delete.connect(_post_delete, dispatch_uid="audit_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="audit_m2m_changed")
