"""Who hears of a case's step (通知): the department now handling it, the shift leaders and
dispatchers whose unit contains its grid. The workflow's transitions name the recipients;
the staff read them on the notifications page."""

from __future__ import annotations

import datetime as dt

from streetbrain.core.models import User

from ..models import Case, Notification


def notify(users, case: Case, kind: str, now: dt.datetime) -> int:
    rows = [Notification(user=u, case=case, kind=kind, created_at=now) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def users_with_role(role: str, case: Case):
    """Active users of ``role`` whose unit contains the case's grid."""
    path = case.org_unit.path
    return [
        u
        for u in User.objects.filter(groups__name=role, is_active=True).select_related("org_unit")
        if u.org_unit is not None and path.startswith(u.org_unit.path)
    ]


def department_users(department):
    if department is None:
        return []
    return list(User.objects.filter(department=department, is_active=True))
