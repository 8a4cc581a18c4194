"""迁出预警的规则: transparent move-out rules, a risk score, and the warnings they raise.

``evaluate(month)`` judges every operating enterprise as of the end of ``month`` from rows
loaded in bulk (a fixed number of queries: tax, headcount, leases and the change log of the
window), using only what was known by then (tax and headcount of months up to ``month``, leases
as held at month ends, contract end dates rather than later early ends). Each rule that fires
adds its evidence — ``{"rule", "text", "values"}`` with the numbers behind it — and its weight.
``RULES`` gives each rule a label and renders its sentence from the values in the reader's
language (``sentence``); the stored ``text`` is that sentence at raise time, a fallback:

==================  ======  ===============================================================
rule                weight  fires when
==================  ======  ===============================================================
``tax_drop``        35      the tax of the last three months (ending with ``month``) and of the
                            three months before are both more than 35 % below the same three
                            months a year earlier ("two quarters running", year on year: tax is
                            seasonal, so a quarter is compared with the same quarter, and a
                            rolling quarter lets the rule fire in any month). Needs last year's
                            quarters to be positive. Months without a record count as 0.
``lease_expiring``  35 × s  leases held at month end whose contract ends within 6 months (by the
                            end of the sixth following month) with no renewal signed by month
                            end (a renewal without a signing date counts as known); s = their
                            share of the enterprise's held area.
``headcount_drop``  20      headcount, or the number with social insurance, fell more than 20 %
                            over 6 months (the latest record within the last 3 months against
                            the latest within the 3 months up to 6 months earlier).
``area_reduced``    25      the area held at month end is at least 10 % smaller than 6 or 12
                            months earlier (space given up), and the enterprise still holds some.
``registration``    40      the local tax registration (属地注册) was turned off, or the
                            registered address changed, in the last 6 months (by the change log).
==================  ======  ===============================================================

Risk score = the sum of the weights of the rules that fired, at most 100. A warning is raised at
``THRESHOLD`` (40): one strong sign (registration moved) or any two signs.

``raise_warnings(month)`` raises (or, for an enterprise with a warning not closed, updates) a
warning for every enterprise at or above the threshold through ``actions.raise_warning``,
naming its main building (the one where it holds the most area at month end, else where it
held space last); ``raised_on`` is the month's last day, or today if that is earlier.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, FloatField, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from streetbrain.core.models import ChangeLogEntry
from streetbrain.core.months import month_end, month_index, month_of

from . import actions
from .models import (
    LEASE_EXPIRY_MONTHS,
    Enterprise,
    HeadcountRecord,
    Lease,
    MoveOutWarning,
    TaxRecord,
)
from .tables import number

WEIGHTS = {
    "tax_drop": 35,
    "lease_expiring": 35,
    "headcount_drop": 20,
    "area_reduced": 25,
    "registration": 40,
}
THRESHOLD = 40
TAX_DROP = 0.35  # a quarter more than 35 % below the same quarter last year
HEADCOUNT_DROP = 0.20  # over 6 months
AREA_DROP = 0.10  # held area at least 10 % smaller than 6 or 12 months ago
EXPIRY_MONTHS = LEASE_EXPIRY_MONTHS
REGISTRATION_MONTHS = 6


@dataclass
class Finding:
    """One enterprise's result as of a month."""

    enterprise_id: int
    credit_code: str
    name: str
    building_id: int | None
    score: float = 0.0
    evidence: list[dict] = field(default_factory=list)

    @property
    def rules(self) -> list[str]:
        return [e["rule"] for e in self.evidence]


def _round(value: float, places: int = 2) -> float:
    return round(value + 0.0, places)


def _label(index: int) -> str:
    return f"{month_of(index):%Y-%m}"


# --- how a finding reads: a label per rule and its sentence from the stored values ---------------
# The sentence is rendered again wherever a finding is shown (page, API, CLI) in the reader's
# language; the "text" stored with the finding is the same sentence in the site's language at
# raise time, kept for rows whose values cannot be read (old or hand-edited rows).


def _percent_of(share) -> str:
    return number(float(share) * 100)


def _tax_drop_sentence(values: dict) -> str:
    first, second = values["quarters"][:2]
    return _(
        "Tax fell by %(first)s %% and %(second)s %% in the last two quarters against the "
        "same quarters a year earlier."
    ) % {"first": _percent_of(-first["change"]), "second": _percent_of(-second["change"])}


def _lease_expiring_sentence(values: dict) -> str:
    leases = values["leases"]
    ends = [str(lease["ends"]) for lease in leases] or [str(values["first_end"])]
    return _(
        "%(count)s lease(s) (%(area)s m², %(share)s %% of its space) end by %(date)s with "
        "no renewal signed."
    ) % {
        "count": len(leases),
        "area": number(values["area_m2"]),
        "share": _percent_of(values["share"]),
        "date": max(ends),
    }


def _headcount_drop_sentence(values: dict) -> str:
    text = (
        _("Headcount fell from %(then)s to %(now)s (%(change)s %%) in six months.")
        if values["measure"] == "headcount"
        else _(
            "Staff with social insurance fell from %(then)s to %(now)s (%(change)s %%) in six "
            "months."
        )
    )
    return text % {
        "then": number(values["then"]),
        "now": number(values["now"]),
        "change": _percent_of(values["change"]),
    }


def _area_reduced_sentence(values: dict) -> str:
    before = {6: float(values["area_6m_m2"]), 12: float(values["area_12m_m2"])}
    months, then = max(before.items(), key=lambda kv: (kv[1], -kv[0]))
    return _("It holds %(now)s m², down from %(then)s m² %(months)s months ago.") % {
        "now": number(values["area_m2"]),
        "then": number(then),
        "months": months,
    }


def _registration_sentence(values: dict) -> str:
    last = max(values["changes"], key=lambda c: str(c["date"]))
    text = (
        _("Its local tax registration was ended on %(date)s.")
        if last["field"] == "locally_registered"
        else _("Its registered address changed on %(date)s: %(before)s → %(after)s.")
    )
    return text % {"date": last["date"], "before": last["before"], "after": last["after"]}


class Rule(NamedTuple):
    label: Promise
    sentence: Callable[[dict], str]


RULES = {
    "tax_drop": Rule(gettext_lazy("Tax falling"), _tax_drop_sentence),
    "lease_expiring": Rule(gettext_lazy("Lease expiring"), _lease_expiring_sentence),
    "headcount_drop": Rule(gettext_lazy("Headcount falling"), _headcount_drop_sentence),
    "area_reduced": Rule(gettext_lazy("Space given up"), _area_reduced_sentence),
    "registration": Rule(gettext_lazy("Registration moved"), _registration_sentence),
}


def rule_label(rule) -> str:
    """The rule's name for the reader; an unknown rule (an old or hand-made row) by its key."""
    known = RULES.get(rule) if isinstance(rule, str) else None
    return str(known.label) if known else str(rule or "")


def sentence(finding) -> str:
    """The finding's sentence in the active language, from its values; its stored text when
    the rule is unknown or the values do not read (never raises)."""
    if not isinstance(finding, dict):
        return ""
    stored = finding.get("text")
    stored = stored if isinstance(stored, str) else ""
    rule = RULES.get(finding.get("rule")) if isinstance(finding.get("rule"), str) else None
    values = finding.get("values")
    if rule is None or not isinstance(values, dict):
        return stored
    try:
        return rule.sentence(values)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError):
        return stored


def _finding(rule: str, values: dict) -> dict:
    return {"rule": rule, "text": RULES[rule].sentence(values), "values": values}


# --- the rules: each takes the enterprise's loaded rows and returns evidence or None -------------


def tax_drop(tax: dict[int, float], m: int) -> dict | None:
    """Tax of the 3 months ending at ``m`` and of the 3 before, each against a year earlier."""
    quarters = []
    for end in (m - 3, m):
        now = sum(tax.get(i, 0.0) for i in range(end - 2, end + 1))
        before = sum(tax.get(i, 0.0) for i in range(end - 14, end - 11))
        if before <= 0:
            return None
        change = now / before - 1
        if change >= -TAX_DROP:
            return None
        quarters.append(
            {
                "months": f"{_label(end - 2)}–{_label(end)}",
                "tax": _round(now),
                "last_year": _round(before),
                "change": _round(change, 3),
            }
        )
    return _finding("tax_drop", {"quarters": quarters, "threshold": TAX_DROP})


def lease_expiring(leases: list[tuple], m: int) -> tuple[dict, float] | None:
    """``leases``: (contract number, area, start, end_date, last day, renewal known) of the
    enterprise. Returns the evidence and the expiring share of the held area."""
    end = month_end(m)
    horizon = month_end(m + EXPIRY_MONTHS)
    held = [lease for lease in leases if lease[2] <= end <= lease[4]]
    total = sum(lease[1] for lease in held)
    expiring = [lease for lease in held if lease[3] <= horizon and not lease[5]]
    if not expiring or total <= 0:
        return None
    area = sum(lease[1] for lease in expiring)
    share = area / total
    first = min(lease[3] for lease in expiring)
    evidence = _finding(
        "lease_expiring",
        {
            "leases": [
                {"contract": lease[0], "area_m2": _round(lease[1]), "ends": lease[3].isoformat()}
                for lease in sorted(expiring, key=lambda x: (x[3], x[0]))
            ],
            "area_m2": _round(area),
            "share": _round(share, 3),
            "first_end": first.isoformat(),
            "months": EXPIRY_MONTHS,
        },
    )
    return evidence, share


def _latest(records: dict[int, tuple], last: int, window: int = 3) -> tuple[int, tuple] | None:
    for i in range(last, last - window, -1):
        if i in records:
            return i, records[i]
    return None


def headcount_drop(records: dict[int, tuple[int, int | None]], m: int) -> dict | None:
    """``records``: month index → (headcount, insured)."""
    now, then = _latest(records, m), _latest(records, m - 6)
    if now is None or then is None:
        return None
    changes = {}
    for name, pos in (("headcount", 0), ("insured", 1)):
        a, b = now[1][pos], then[1][pos]
        if a is not None and b:
            changes[name] = (a, b, a / b - 1)
    fell = {k: v for k, v in changes.items() if v[2] < -HEADCOUNT_DROP}
    if not fell:
        return None
    name, (a, b, change) = min(fell.items(), key=lambda kv: kv[1][2])
    return _finding(
        "headcount_drop",
        {
            "measure": name,
            "now": a,
            "then": b,
            "now_month": _label(now[0]),
            "then_month": _label(then[0]),
            "change": _round(change, 3),
            "threshold": HEADCOUNT_DROP,
        },
    )


def area_reduced(area_at: dict[int, float], m: int) -> dict | None:
    """``area_at``: month index → area held at that month's end (m, m − 6, m − 12)."""
    now = area_at.get(m, 0.0)
    if now <= 0:
        return None
    before = {k: area_at.get(m - k, 0.0) for k in (6, 12)}
    then = max(before.values())
    if then <= 0 or now > then * (1 - AREA_DROP):
        return None
    change = now / then - 1
    return _finding(
        "area_reduced",
        {
            "area_m2": _round(now),
            "area_6m_m2": _round(before[6]),
            "area_12m_m2": _round(before[12]),
            "change": _round(change, 3),
        },
    )


def registration(changes: list[dict]) -> dict | None:
    """``changes``: {"date", "field", "before", "after"} from the change log in the window."""
    moved = [
        c
        for c in changes
        if (c["field"] == "locally_registered" and c["before"] is True and c["after"] is False)
        or (c["field"] == "registered_address" and c["before"] != c["after"])
    ]
    if not moved:
        return None
    return _finding("registration", {"changes": moved, "months": REGISTRATION_MONTHS})


def score(evidence: list[dict], lease_share: float = 1.0) -> float:
    """The risk score: the weights of the rules that fired (the lease rule's scaled by the
    expiring share of the space), at most 100."""
    total = 0.0
    for item in evidence:
        weight = WEIGHTS[item["rule"]]
        if item["rule"] == "lease_expiring":
            weight *= lease_share
        total += weight
    return round(min(total, 100.0), 1)


# --- evaluation ----------------------------------------------------------------------------------


def _registration_changes(first: dt.date, last: dt.date) -> dict[int, list[dict]]:
    """Registration changes of enterprises recorded from ``first`` to ``last``, from the
    change log (one query)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    stop = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    entries = ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Enterprise),
        action="update",
        time__gte=start,
        time__lt=stop,
    ).values_list("object_id", "time", "prechange", "postchange", "changed_fields")
    out: dict[int, list[dict]] = defaultdict(list)
    for object_id, time, before, after, fields in entries:
        for name in ("locally_registered", "registered_address"):
            if name in (fields or ()):
                out[int(object_id)].append(
                    {
                        "date": timezone.localtime(time, tz).date().isoformat(),
                        "field": name,
                        "before": (before or {}).get(name),
                        "after": (after or {}).get(name),
                    }
                )
    return out


def evaluate(month: dt.date, *, enterprises=None) -> list[Finding]:
    """Every enterprise operating at the end of ``month`` (or those of the ``enterprises``
    queryset) judged as of then; those where no rule fired are left out. "Operating then":
    active now, or moved out or deregistered after the month (``status_changed_on``), so the
    rules can be replayed over past months."""
    m = month_index(month)
    end = month_end(m)
    qs = enterprises if enterprises is not None else Enterprise.objects.all()
    # Operating as of the month: operating now, or whose status changed only after it.
    qs = qs.filter(Q(status=Enterprise.Status.ACTIVE) | Q(status_changed_on__gt=end))
    people = {pk: (code, name) for pk, code, name in qs.values_list("pk", "credit_code", "name")}
    ids = qs.values("pk")
    tax: dict[int, dict[int, float]] = defaultdict(dict)
    for enterprise, mo, total in (
        TaxRecord.objects.filter(
            enterprise__in=ids, month__gte=month_of(m - 17), month__lte=month_of(m)
        )
        .annotate(t=Cast("total_tax", FloatField()))
        .values_list("enterprise_id", "month", "t")
    ):
        tax[enterprise][month_index(mo)] = total
    heads: dict[int, dict[int, tuple]] = defaultdict(dict)
    for enterprise, mo, headcount, insured in HeadcountRecord.objects.filter(
        enterprise__in=ids, month__gte=month_of(m - 8), month__lte=month_of(m)
    ).values_list("enterprise_id", "month", "headcount", "insured"):
        heads[enterprise][month_index(mo)] = (headcount, insured)
    known_renewal = Lease.objects.filter(renewed_from=OuterRef("pk")).filter(
        Q(signed_on__lte=end) | Q(signed_on__isnull=True)
    )
    leases: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Lease.objects.filter(enterprise__in=ids)
        .held_between(month_end(m - 12), end)
        .annotate(renewal_known=Exists(known_renewal), area=Cast("area_m2", FloatField()))
        .values_list(
            "enterprise_id", "building_id", "contract_number", "area", "start_date",
            "end_date", "ended_on", "renewal_known",
        )
    )  # fmt: skip
    for enterprise, building, contract, area, start, end_date, ended_on, renewal in rows:
        # As of the month's end, a lease still held is known to last to its contract's end.
        last = ended_on if ended_on is not None and ended_on <= end else end_date
        leases[enterprise].append((contract, area, start, end_date, last, renewal, building))
    changes = _registration_changes(month_of(m - REGISTRATION_MONTHS + 1), end)

    findings = []
    with translation.override(settings.LANGUAGE_CODE):
        for pk, (code, name) in people.items():
            mine = leases.get(pk, [])
            area_at = {}
            by_building: dict[int, float] = defaultdict(float)
            for i in (m, m - 6, m - 12):
                day = month_end(i)
                area_at[i] = sum(x[1] for x in mine if x[2] <= day <= x[4])
            for x in mine:
                if x[2] <= end <= x[4]:
                    by_building[x[6]] += x[1]
            if by_building:
                building = min(by_building, key=lambda b: (-by_building[b], b))
            elif mine:
                building = max(mine, key=lambda x: (x[4], x[1]))[6]
            else:
                building = None
            evidence = []
            share = 1.0
            found = tax_drop(tax.get(pk, {}), m)
            if found:
                evidence.append(found)
            expiring = lease_expiring(mine, m)
            if expiring:
                evidence.append(expiring[0])
                share = expiring[1]
            for found in (
                headcount_drop(heads.get(pk, {}), m),
                area_reduced(area_at, m),
                registration(changes.get(pk, [])),
            ):
                if found:
                    evidence.append(found)
            if evidence:
                findings.append(Finding(pk, code, name, building, score(evidence, share), evidence))
    return findings


def raise_warnings(month: dt.date, *, user=None) -> list[MoveOutWarning]:
    """Raise or update the warnings of the enterprises at or above ``THRESHOLD``."""
    raised_on = min(month_end(month_index(month)), timezone.localdate())
    warnings = []
    for finding in evaluate(month):
        if finding.score < THRESHOLD:
            continue
        warnings.append(
            actions.raise_warning(
                finding.enterprise_id,
                risk_score=finding.score,
                evidence=finding.evidence,
                user=user,
                building=finding.building_id,
                raised_on=raised_on,
            )
        )
    return warnings


# --- how good the warnings are -------------------------------------------------------------------


@dataclass
class Assessment:
    warnings: int  # episodes: runs of consecutive months an enterprise was above the threshold
    true_warnings: int  # followed by a move-out within the horizon
    move_outs: int
    caught: int  # move-outs warned about within the horizon before
    lead_months: list[int]  # per caught move-out: months from the first warning to the move-out

    @property
    def precision(self) -> float | None:
        return self.true_warnings / self.warnings if self.warnings else None

    @property
    def recall(self) -> float | None:
        return self.caught / self.move_outs if self.move_outs else None

    @property
    def median_lead(self) -> float | None:
        lead = sorted(self.lead_months)
        if not lead:
            return None
        mid = len(lead) // 2
        return float(lead[mid]) if len(lead) % 2 else (lead[mid - 1] + lead[mid]) / 2


def assess(
    alerts: dict[int, set[int]], move_outs: dict[int, int], months: range, horizon: int = 6
) -> Assessment:
    """Precision and recall of warnings against real move-outs.

    ``alerts``: enterprise → the month indexes in which it was at or above the threshold;
    ``move_outs``: enterprise → the month index it left; ``months``: the months evaluated.
    A warning (episode: consecutive alert months) is true when the enterprise moves out after
    its first month and no later than ``horizon`` months after its last. A move-out in a month
    ``M`` is caught when the enterprise was alerted in one of the ``horizon`` months before
    ``M`` (``M − horizon … M − 1``); its lead is ``M`` − the first of those alert months. Only
    move-outs whose whole horizon lies in ``months`` count for recall, and only episodes whose
    horizon ends inside ``months`` (or that are followed by a move-out) for precision.
    """
    first, last = months.start, months.stop - 1
    warnings = true_warnings = 0
    for enterprise, alerted in alerts.items():
        runs: list[list[int]] = []
        for i in sorted(alerted):
            if runs and i == runs[-1][-1] + 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        left = move_outs.get(enterprise)
        for run in runs:
            hit = left is not None and run[0] < left <= run[-1] + horizon
            if not hit and run[-1] + horizon > last:
                continue  # too recent to judge
            warnings += 1
            true_warnings += hit
    counted = caught = 0
    lead = []
    for enterprise, left in move_outs.items():
        if left - horizon < first or left > last:
            continue
        counted += 1
        before = [i for i in alerts.get(enterprise, ()) if left - horizon <= i < left]
        if before:
            caught += 1
            lead.append(left - min(before))
    return Assessment(warnings, true_warnings, counted, caught, lead)
