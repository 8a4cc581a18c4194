"""The precomputed figures: ``refresh_months`` turns the case rows into ``CaseStat`` and
``StaffStat`` rows with a few GROUP BY queries per month (the 15-minute task runs
``refresh_recent``, the demo ``refresh_all``), after judging 按时立案 and 按时派遣 where the
workflow left them empty.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from streetbrain.core.models import User
from streetbrain.core.months import add_months, month_start

from ..models import Case, CaseEvent, CaseStat, Channel, Report, StaffStat, State
from ..workflow.clock import dispatched_in_time, registered_in_time
from .definitions import DISPATCHER, GRIDWORKER, HANDLER, SHIFTLEAD, STAFF_COUNTS
from .periods import month_bounds

# -- timeliness of 立案 and 派遣 ---------------------------------------------------------------


def _set_flag(field_name: str, values: dict[int, bool]) -> None:
    """Write a derived flag with one UPDATE per value and chunk (no per-row queries; no
    ``updated_at`` change, so the refresh does not see its own writes as case changes)."""
    for flag in (True, False):
        pks = [pk for pk, v in values.items() if v is flag]
        for i in range(0, len(pks), 5000):
            Case.objects.filter(pk__in=pks[i : i + 5000]).update(**{field_name: flag})


def fill_timeliness(start: dt.datetime, end: dt.datetime) -> int:
    """Judge 按时立案 and 按时派遣 for the cases registered in [start, end) whose flags are
    still empty (the workflow sets them at the transition; this covers bulk-loaded and older
    rows). Returns the number of flags set."""
    cohort = Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
    registered = {
        pk: registered_in_time(reported, registered)
        for pk, reported, registered in cohort.filter(registered_on_time__isnull=True).values_list(
            "pk", "reported_at", "registered_at"
        )
    }
    _set_flag("registered_on_time", registered)
    first_dispatch = (
        CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseEvent.Action.DISPATCH)
        .order_by("time", "pk")
        .values("time")[:1]
    )
    rows = (
        cohort.filter(dispatched_on_time__isnull=True)
        .filter(Q(dispatched_at__isnull=False) | Q(rollback_count__gt=0))
        .annotate(first=Subquery(first_dispatch))
        .values_list("pk", "registered_at", "first", "dispatched_at")
    )
    dispatched = {}
    for pk, registered_at, first, dispatched_at in rows:
        moment = first or dispatched_at
        if moment is not None:
            dispatched[pk] = dispatched_in_time(registered_at, moment)
    _set_flag("dispatched_on_time", dispatched)
    return len(registered) + len(dispatched)


# -- refresh --------------------------------------------------------------------------------


def _case_counts(start: dt.datetime, end: dt.datetime):
    live = ~Q(state=State.VOID)
    dispatched_once = Q(dispatched_at__isnull=False) | Q(rollback_count__gt=0)
    handled_once = (
        Q(handled_at__isnull=False)
        | Q(state=State.CLOSED)
        | Q(rework_count__gt=0)
        | Q(reopen_count__gt=0)
    )
    return (
        Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
        .order_by()
        .values("org_unit_id", "org_unit__path", "department_id")
        .annotate(
            registered=Count("pk"),
            registered_on_time=Count("pk", filter=Q(registered_on_time=True)),
            voided=Count("pk", filter=Q(state=State.VOID)),
            to_dispatch=Count("pk", filter=live),
            dispatched_on_time=Count("pk", filter=live & Q(dispatched_on_time=True)),
            misdispatched=Count("pk", filter=live & Q(rollback_count__gt=0)),
            to_handle=Count("pk", filter=live & dispatched_once),
            handled=Count("pk", filter=live & handled_once),
            reworked=Count("pk", filter=live & Q(rework_count__gt=0)),
            extended=Count("pk", filter=live & Q(extension_count__gt=0)),
            to_close=Count("pk", filter=live),
            suspended=Count("pk", filter=Q(state=State.SUSPENDED)),
            closed=Count("pk", filter=Q(state=State.CLOSED)),
            closed_on_time=Count("pk", filter=Q(state=State.CLOSED, closed_on_time=True)),
        )
    )


def _previous(action_q: Q):
    """Events matching ``action_q`` of the same case before the outer event."""
    return CaseEvent.objects.filter(action_q, case=OuterRef("case")).filter(
        Q(time__lt=OuterRef("time")) | Q(time=OuterRef("time"), pk__lt=OuterRef("pk"))
    )


def _next_action(actions: list[str]):
    """The action of the case's next event among ``actions`` after the outer event. The
    outer query scans one month of acts; each look-up reads one case's few events."""
    return Subquery(
        CaseEvent.objects.filter(action__in=actions, case=OuterRef("case"))
        .filter(Q(time__gt=OuterRef("time")) | Q(time=OuterRef("time"), pk__gt=OuterRef("pk")))
        .order_by("time", "pk")
        .values("action")[:1]
    )


def _staff_counts(start: dt.datetime, end: dt.datetime) -> dict[tuple[int, str], dict]:
    A = CaseEvent.Action
    out: dict[tuple[int, str], dict] = defaultdict(lambda: dict.fromkeys(STAFF_COUNTS, 0))

    def add(role: str, rows, user_key: str) -> None:
        for row in rows:
            counts = out[(row.pop(user_key), role)]
            for key, value in row.items():
                counts[key] += value

    in_month = {"time__gte": start, "time__lt": end, "user__isnull": False}
    # 值班长: 立案 and 结案.
    add(
        SHIFTLEAD,
        Case.objects.filter(
            registered_at__gte=start, registered_at__lt=end, registered_by__isnull=False
        )
        .order_by()
        .values("registered_by")
        .annotate(
            registered=Count("pk"),
            registered_on_time=Count("pk", filter=Q(registered_on_time=True)),
            registered_voided=Count("pk", filter=Q(state=State.VOID)),
        ),
        "registered_by",
    )
    add(
        SHIFTLEAD,
        Case.objects.filter(
            state=State.CLOSED, closed_at__gte=start, closed_at__lt=end, closed_by__isnull=False
        )
        .order_by()
        .values("closed_by")
        .annotate(
            closed=Count("pk"),
            closed_on_time=Count("pk", filter=Q(closed_on_time=True)),
        ),
        "closed_by",
    )
    # 派遣员: 派遣 and 改派 acts; the first 派遣 of a case is judged for timeliness; an act
    # is a mis-dispatch when the case's next dispatch-related event is an approved rollback.
    dispatch_acts = [A.DISPATCH, A.REROUTE]
    first = Q(action=A.DISPATCH, earlier=False)
    add(
        DISPATCHER,
        CaseEvent.objects.filter(action__in=dispatch_acts, **in_month)
        .annotate(
            earlier=Exists(_previous(Q(action=A.DISPATCH))),
            undone_by=_next_action([*dispatch_acts, A.APPROVE_ROLLBACK]),
        )
        .order_by()
        .values("user")
        .annotate(
            dispatches=Count("pk"),
            first_dispatches=Count("pk", filter=first),
            dispatched_on_time=Count("pk", filter=first & Q(case__dispatched_on_time=True)),
            misdispatched=Count("pk", filter=Q(undone_by=A.APPROVE_ROLLBACK)),
        ),
        "user",
    )
    # 网格员: reports through the grid-worker channel, 核实 and 核查.
    add(
        GRIDWORKER,
        Report.objects.filter(
            channel=Channel.GRIDWORKER,
            received_at__gte=start,
            received_at__lt=end,
            user__isnull=False,
        )
        .order_by()
        .values("user")
        .annotate(
            reports=Count("pk"),
            reports_registered=Count("pk", filter=Q(case__registered_at__isnull=False)),
        ),
        "user",
    )
    add(
        GRIDWORKER,
        CaseEvent.objects.filter(action__in=[A.VERIFY, A.CHECK_PASS, A.CHECK_FAIL], **in_month)
        .order_by()
        .values("user")
        .annotate(
            verifications=Count("pk", filter=Q(action=A.VERIFY)),
            checks=Count("pk", filter=Q(action__in=[A.CHECK_PASS, A.CHECK_FAIL])),
        ),
        "user",
    )
    # 处置人员: 处置完成 acts, on time by the light at that moment; reworked when the case's
    # next check or handling event is a failed check (返工).
    add(
        HANDLER,
        CaseEvent.objects.filter(action=A.HANDLED, **in_month)
        .annotate(then=_next_action([A.HANDLED, A.CHECK_FAIL]))
        .order_by()
        .values("user")
        .annotate(
            handled=Count("pk"),
            handled_on_time=Count("pk", filter=Q(data__light__in=["green", "yellow"])),
            handled_reworked=Count("pk", filter=Q(then=A.CHECK_FAIL)),
        ),
        "user",
    )
    return out


# pg_advisory_xact_lock key of the refresh: two refreshes (the beat task and a demo load,
# say) must not both delete and re-insert a month, or its rows would double.
REFRESH_LOCK = 4_302_120_140


def _begin_refresh() -> None:
    """On PostgreSQL: wait for any other refresh of a month, and switch JIT off for this
    transaction (it compiles the month's queries for longer than they run: hundreds of short
    index look-ups). SQLite serialises writing transactions by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            cursor.execute("SET LOCAL jit = off")


def refresh_months(months: Iterable[dt.date]) -> int:
    """Recompute the stat rows of ``months`` (any dates; their months count) from the case
    rows, one transaction per month. Idempotent. Returns the number of stat rows written."""
    written = 0
    for month in sorted({month_start(m) for m in months}):
        start, end = month_bounds(month)
        fill_timeliness(start, end)
        with transaction.atomic():
            _begin_refresh()
            written += _refresh_month(month, start, end)
    return written


def _refresh_month(month: dt.date, start: dt.datetime, end: dt.datetime) -> int:
    now = timezone.now()
    case_rows = [
        CaseStat(
            month=month,
            org_unit_id=row.pop("org_unit_id"),
            unit_path=row.pop("org_unit__path"),
            department_id=row.pop("department_id"),
            computed_at=now,
            **row,
        )
        for row in _case_counts(start, end)
    ]
    staff = _staff_counts(start, end)
    people = {
        pk: (path or "", department)
        for pk, path, department in User.objects.filter(
            pk__in={user for user, _role in staff}
        ).values_list("pk", "org_unit__path", "department_id")
    }
    staff_rows = [
        StaffStat(
            month=month,
            user_id=user,
            role=role,
            unit_path=people[user][0],
            department_id=people[user][1],
            computed_at=now,
            **counts,
        )
        for (user, role), counts in staff.items()
        if user in people
    ]
    CaseStat.objects.filter(month=month).delete()
    CaseStat.objects.bulk_create(case_rows, batch_size=1000)
    StaffStat.objects.filter(month=month).delete()
    StaffStat.objects.bulk_create(staff_rows, batch_size=1000)
    return len(case_rows) + len(staff_rows)


def _local_month(field_name: str):
    return TruncMonth(field_name, output_field=DateField(), tzinfo=timezone.get_default_timezone())


def refresh_all() -> int:
    """Recompute every month from the first report to the latest act (or this month), and
    drop stat rows of months without cases."""
    first = Case.objects.aggregate(first=Min("reported_at"))["first"]
    if first is None:
        CaseStat.objects.all().delete()
        StaffStat.objects.all().delete()
        return 0
    latest = max(timezone.now(), CaseEvent.objects.aggregate(t=Max("time"))["t"] or timezone.now())
    month, last = month_start(first), month_start(latest)
    months = []
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    CaseStat.objects.exclude(month__in=months).delete()
    StaffStat.objects.exclude(month__in=months).delete()
    return refresh_months(months)


# Changes made while a refresh runs are caught by the next one.
REFRESH_OVERLAP = dt.timedelta(minutes=10)


def refresh_recent(now: dt.datetime | None = None) -> int:
    """The current and previous month, and every month a case changed since the last
    refresh touches (its 立案 month and the months of its events): a case registered in
    January and closed in March changes January's figures."""
    now = now or timezone.now()
    last = last_refreshed()
    if last is None:
        return refresh_all()
    this = month_start(now)
    months = {this, add_months(this, -1)}
    changed = Case.objects.filter(updated_at__gte=last - REFRESH_OVERLAP).values("pk")
    months |= set(
        Case.objects.filter(pk__in=changed, registered_at__isnull=False)
        .annotate(m=_local_month("registered_at"))
        .values_list("m", flat=True)
        .distinct()
    )
    months |= set(
        CaseEvent.objects.filter(case__in=changed)
        .annotate(m=_local_month("time"))
        .values_list("m", flat=True)
        .distinct()
    )
    return refresh_months(months)


def last_refreshed() -> dt.datetime | None:
    times = [
        CaseStat.objects.aggregate(t=Max("computed_at"))["t"],
        StaffStat.objects.aggregate(t=Max("computed_at"))["t"],
    ]
    times = [t for t in times if t is not None]
    return max(times) if times else None
