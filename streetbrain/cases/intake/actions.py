"""The intake's actions, what pages, the REST API, Open311, MQTT and the CLI call: a report
enters by ``submit_report`` (validate and place it, then ``store.store_reports`` for a batch
of one: idempotent) or, from Open311, by ``accept`` into the queue, which registers it
moments later. ``retrain_classifier`` trains the classifier on the street's own history."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..models import Case, IntakeItem, State, TrainingExample
from . import classifier, pipeline, queue, store, tasks
from .pipeline import ReportInput


def submit_report(data: ReportInput) -> store.IntakeResult:
    """Run the intake pipeline for one report and store it: a new case, or a further report
    on an open duplicate. Raises ``ValidationError`` (nothing stored) for bad input."""
    if data.idempotency_key:
        replayed = store.replay(data.idempotency_key)
        if replayed is not None:
            return replayed
    pipeline.validate(data)
    now = data.received_at or timezone.now()
    placement = pipeline.place(data)
    try:
        return store.store_reports([(data, placement, now)])[0]
    except IntegrityError:
        # Two requests with the same idempotency key raced: the other one stored it.
        if data.idempotency_key:
            replayed = store.replay(data.idempotency_key)
            if replayed is not None:
                return replayed
        raise


def accept(data: ReportInput) -> tuple[IntakeItem, bool]:
    """Check ``data`` and queue it (收件): ``(item, created)``. ``created`` is False when an
    item with the same idempotency key was accepted before (that item is returned, nothing is
    stored). Raises ``ValidationError`` (nothing stored) for bad input. A replay is found by
    the unique key's refusal of the INSERT, so a first-time report costs no look-up."""
    if data.photos or data.sensor or data.facility or data.shop:
        raise ValueError("the queue takes plain reports (Open311); submit the others directly")
    pipeline.validate(data)
    item = queue.item_for(data, pipeline.place(data))
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: a duplicate key must not break the caller
                item.save()
        else:
            item.save()
    except IntegrityError:
        existing = queue.existing(data.idempotency_key) if data.idempotency_key else None
        if existing is None:
            raise
        return existing, False
    if settings.CELERY_TASK_ALWAYS_EAGER:
        queue.process_pending()  # the demo and the tests: register it now, inside the request
        item.refresh_from_db(fields=["status", "report", "processed_at"])
    else:
        transaction.on_commit(tasks.kick)
    return item, True


# -- learning from the street's own history -------------------------------------------------


def training_set(limit: int = 50_000) -> tuple[list[str], list[str]]:
    """Texts and labels to train the classifier on: the newest ``limit`` cases that were
    registered (立案) with a class — the class a human accepted or set — plus every staff
    correction (``TrainingExample``), so corrections count again."""
    texts, labels = [], []
    cases = (
        Case.objects.filter(registered_at__isnull=False, component_class__isnull=False)
        .exclude(state=State.VOID)
        .order_by("-registered_at")
        .values_list("title", "description", "component_class__kind", "component_class__code")
    )
    for title, description, kind, code in cases[:limit]:
        texts.append(f"{title}\n{description}")
        labels.append(f"{kind}:{code}")
    for text, label in TrainingExample.objects.order_by("-pk").values_list("text", "label")[:limit]:
        texts.append(text)
        labels.append(label)
    return texts, labels


def retrain_classifier(path=None, *, limit: int = 50_000) -> dict:
    """Train the case classifier on the street's own history and corrections and save it
    where the intake reads it (``CASES_CLASSIFIER_MODEL``) or to ``path``. Running web
    processes pick the new model up when the file changes."""
    texts, labels = training_set(limit)
    model = classifier.train(texts, labels)
    target = Path(path or settings.CASES_CLASSIFIER_MODEL)
    model.save(target)
    return {"path": str(target), "examples": len(texts), "labels": len(model.labels)}
