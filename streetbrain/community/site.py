"""Which community the residents' site serves: the org unit named by the setting
``COMMUNITY_SITE_UNIT`` (its name or code; 江城社区 by default, the seed's sample)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from streetbrain.core.models import OrgUnit


def home_community() -> OrgUnit:
    key = getattr(settings, "COMMUNITY_SITE_UNIT", "江城社区")
    unit = (
        OrgUnit.objects.filter(level=OrgUnit.Level.COMMUNITY)
        .filter(Q(name=key) | Q(code=key))
        .order_by("code")
        .first()
    )
    if unit is None:
        raise Http404("no community for the residents' site")
    return unit
