"""Global search: one box over every object type that registers a provider here, scoped to the
user like every list. Each provider searches text fields by containment and, optionally,
exact identifiers (ID numbers and phones through their digests, codes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from .scoping import permission_name


@dataclass(frozen=True)
class SearchProvider:
    key: str
    model: type
    label: str
    text_fields: tuple[str, ...]
    exact: Callable[[str], Q | None] | None = None  # identifier matches
    describe: Callable[[object], str] = str  # the line under the title
    select_related: tuple[str, ...] = ()
    order: int = 100
    min_length: int = 1
    extra: dict = field(default_factory=dict)

    def query(self, q: str) -> Q:
        cond = Q()
        if len(q) >= self.min_length:
            for f in self.text_fields:
                cond |= Q(**{f"{f}__icontains": q})
        if self.exact is not None:
            exact = self.exact(q)
            if exact is not None:
                cond |= exact
        return cond


PROVIDERS: dict[str, SearchProvider] = {}


def register(provider: SearchProvider) -> SearchProvider:
    PROVIDERS[provider.key] = provider
    return provider


def search(user, q: str, *, limit: int = 10, types: list[str] | None = None) -> list[dict]:
    """Results grouped by type: [{key, label, count, results: [objects]}]."""
    q = (q or "").strip()
    if not q:
        return []
    groups = []
    for provider in sorted(PROVIDERS.values(), key=lambda p: p.order):
        if types and provider.key not in types:
            continue
        if not user.has_perm(permission_name(provider.model, "view")):
            continue
        cond = provider.query(q)
        if not cond:
            continue
        qs = provider.model.objects.restrict(user, "view").filter(cond)
        if provider.select_related:
            qs = qs.select_related(*provider.select_related)
        rows = list(qs[: limit + 1])
        if not rows:
            continue
        groups.append(
            {
                "key": provider.key,
                "label": provider.label,
                "more": len(rows) > limit,
                "results": [
                    {
                        "object": obj,
                        "title": str(obj),
                        "description": provider.describe(obj),
                        "url": obj.get_absolute_url(),
                    }
                    for obj in rows[:limit]
                ],
            }
        )
    return groups
