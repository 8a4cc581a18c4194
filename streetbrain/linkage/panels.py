"""The linkage's panel on the cockpit (驾驶舱): how well the departments' sheets of the user's
area link to the registry — each source's link rate, the pairs waiting in the review queue and
the open conflicts — from the counts each link run keeps on its source (no linking here)."""

from __future__ import annotations

from django.urls import reverse

from .models import Conflict, Source, StagedRecord


def linkage(user, unit, today) -> dict | None:
    sources = list(Source.objects.restrict(user).order_by("-delivered_on", "-pk")[:6])
    if not sources:
        return None
    rows = sum(s.rows for s in sources)
    linked = sum(s.linked for s in sources)
    return {
        "sources": sources,
        "rate": linked / rows if rows else None,
        "review": StagedRecord.objects.restrict(user)
        .filter(state=StagedRecord.State.REVIEW)
        .count(),
        "conflicts": Conflict.objects.restrict(user).filter(state=Conflict.State.OPEN).count(),
        "review_url": reverse("linkage:review"),
        "conflicts_url": reverse("linkage:conflict_list"),
        "index_url": reverse("linkage:source_list"),
    }
