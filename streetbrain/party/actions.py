"""Changes of the party-building data that are more than an edit: an activity with its
attendance, the yearly star rating. Role and scope checked (``user=None``: the system); the
change log records them (the models are audited)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import rating
from .models import Activity, Organisation, StarRating

ACTIVITY_PERMISSION = "party.add_activity"
RATE_PERMISSION = "party.add_starrating"


def _organisation(org, user, action="view") -> Organisation:
    qs = Organisation.objects.all() if user is None else Organisation.objects.restrict(user, action)
    found = qs.filter(pk=getattr(org, "pk", org)).first()
    if found is None:
        raise PermissionDenied(_("This organisation is outside your area of responsibility."))
    return found


def record_activity(org, kind: str, title: str, date: dt.date, attendees, user) -> Activity:
    """An activity of ``org`` with the members who attended (members of ``org`` only)."""
    if user is not None and not user.has_perm(ACTIVITY_PERMISSION):
        raise PermissionDenied(_("Your role may not do this."))
    if kind not in Activity.Kind.values:
        raise ValidationError({"kind": _("Choose a kind of activity.")})
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the activity a title.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date cannot be in the future.")})
    with transaction.atomic():
        org = _organisation(org, user)
        attendees = list(attendees)
        if any(m.organisation_id != org.pk for m in attendees):
            raise ValidationError({"attendees": _("Only the organisation's members can attend.")})
        activity = Activity.objects.create(
            organisation=org, kind=kind, title=title.strip(), date=date
        )
        activity.attendees.set(attendees)
    return activity


def rate(org, year: int, user=None) -> StarRating:
    """Rate ``org`` for ``year`` from its indicators (again: the year's row is replaced)."""
    if user is not None and not user.has_perm(RATE_PERMISSION):
        raise PermissionDenied(_("Your role may not do this."))
    with transaction.atomic():
        org = _organisation(org, user)
        score, stars, rows = rating.compute(org, year)
        rated, _created = StarRating.objects.update_or_create(
            organisation=org,
            year=year,
            defaults={"score": score, "stars": stars, "indicators": rows, "rated_by": user,
                      "rated_at": timezone.now()},
        )  # fmt: skip
    return rated
