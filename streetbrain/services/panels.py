"""The services' cockpit panel: the stored matches and the notices' stages in the user's
unit, and the amounts granted this year (read from stored rows, never recomputed here)."""

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from streetbrain.core.figures import Tile

from .models import Match, Notice, Verdict


def overview(user, unit, today) -> dict | None:
    inside = {"enterprise__org_unit__path__startswith": unit.path}
    verdicts = dict(
        Match.objects.restrict(user)
        .filter(clause__current=True, **inside)
        .values_list("verdict")
        .annotate(n=Count("pk"))
    )
    states = dict(
        Notice.objects.restrict(user).filter(**inside).values_list("state").annotate(n=Count("pk"))
    )
    granted = (
        Notice.objects.restrict(user)
        .filter(state=Notice.State.GRANTED, granted_on__year=today.year, **inside)
        .aggregate(s=Sum("granted_amount"))["s"]
    )
    if not verdicts and not states:
        return None
    return {
        "tiles": [
            Tile("auto", _("Eligible without applying"), verdicts.get(Verdict.AUTO, 0)),
            Tile("apply", _("Eligible, to apply"), verdicts.get(Verdict.APPLY, 0)),
            Tile("sent", _("Notices sent"), sum(states.values())),
            Tile("granted", _("Granted this year (CNY)"), int(granted or 0)),
        ]
    }
