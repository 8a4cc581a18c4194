"""An in-process snapshot of the reference data the intake pipeline reads on every report: the
GB/T 47678.5 classes, the routing rules, the 立结案标准, the grid cells and the Open311 service
questions.

Reading them from the database per report cost a handful of queries each; they change rarely.
The snapshot is rebuilt after any change made in this process (model signals) and at most
``MAX_AGE`` seconds after a change made by another process (another worker or the admin).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

from streetbrain.core.models import Department, OrgUnit
from streetbrain.registry.models import ComponentClass

from ..models import RoutingRule, ServiceAttribute, TimeLimitStandard

MAX_AGE = 60.0

_lock = threading.Lock()
_state: dict = {"data": None, "built": 0.0}


@dataclass
class Snapshot:
    classes: dict  # (kind, code) -> ComponentClass
    classes_by_pk: dict  # pk -> ComponentClass
    rules: list  # active RoutingRule with department and area loaded
    limits: dict  # (class pk, condition) -> TimeLimitStandard (active)
    grids: dict  # grid code -> OrgUnit (with its parent loaded)
    grids_by_pk: dict  # pk -> OrgUnit
    attributes: dict  # class pk -> [ServiceAttribute] in the definition's order


def _build() -> Snapshot:
    attributes: dict = {}
    for attr in ServiceAttribute.objects.order_by("component_class", "order", "code"):
        attributes.setdefault(attr.component_class_id, []).append(attr)
    grids = {
        unit.code: unit
        for unit in OrgUnit.objects.filter(level=OrgUnit.Level.GRID).select_related("parent")
    }
    classes = list(ComponentClass.objects.all())
    rules = list(
        RoutingRule.objects.filter(is_active=True, department__is_active=True).select_related(
            "department", "area"
        )
    )
    limits = {}
    for standard in TimeLimitStandard.objects.filter(is_active=True).select_related(
        "component_class"
    ):
        limits[(standard.component_class_id, standard.condition)] = standard
    return Snapshot(
        classes={(c.kind, c.code): c for c in classes},
        classes_by_pk={c.pk: c for c in classes},
        rules=rules,
        limits=limits,
        grids=grids,
        grids_by_pk={unit.pk: unit for unit in grids.values()},
        attributes=attributes,
    )


def get() -> Snapshot:
    with _lock:
        if _state["data"] is None or time.monotonic() - _state["built"] > MAX_AGE:
            _state["data"] = _build()
            _state["built"] = time.monotonic()
        return _state["data"]


def invalidate(**kwargs) -> None:
    with _lock:
        _state["data"] = None


def connect() -> None:
    models = (ComponentClass, RoutingRule, TimeLimitStandard, ServiceAttribute, Department, OrgUnit)
    for model in models:
        uid = f"cases-refdata-{model._meta.label_lower}"
        post_save.connect(invalidate, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"{uid}-delete")
