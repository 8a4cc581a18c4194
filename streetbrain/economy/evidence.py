"""How a move-out warning's evidence reads: each rule's label and sentence (``rules.RULES``),
and every value it stores labelled and formatted for the reader's language — shares and
changes as percentages, tax in 元 with thousands separators, areas in m², months as 2026-03,
the headcount measure by its name. Rendered when shown (page, API, CLI), never stored, so one
warning reads in Chinese for one user and in English for another.

Evidence is JSON kept on the warning and may be old or edited by hand: nothing here raises on
an unexpected shape; an unknown rule shows its stored text, an unknown value its key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import rules
from .models import Enterprise, HeadcountRecord
from .tables import number


def _plain(value) -> str:
    """Any JSON value as short text (the fallback for values without a known format)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        return number(value, 2) if math.isfinite(value) else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _decimals(value: float) -> int:
    return 0 if float(value).is_integer() or abs(value) >= 100 else 2


def _percent(value) -> str:
    return f"{number(float(value) * 100)}%"


def _signed_percent(value) -> str:
    value = float(value)
    text = number(abs(value) * 100)
    if text == "0":
        return "0%"
    return f"{'+' if value > 0 else '−'}{text}%"


def _yuan(value) -> str:
    return _("CNY %(amount)s") % {"amount": number(value)}


def _m2(value) -> str:
    return f"{number(value, _decimals(float(value)))} m²"


def _count(value) -> str:
    return number(int(value))


def _months(value) -> str:
    n = int(value)
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


def _measure(value) -> str:
    if value not in ("headcount", "insured"):
        raise ValueError(value)
    return str(HeadcountRecord._meta.get_field(value).verbose_name)


def _enterprise_field(value) -> str:
    return str(Enterprise._meta.get_field(value).verbose_name)


def _text(value) -> str:
    return _plain(value)


FORMATS = {
    "text": _text,
    "percent": _percent,
    "signed_percent": _signed_percent,
    "yuan": _yuan,
    "m2": _m2,
    "count": _count,
    "months": _months,
    "measure": _measure,
    "enterprise_field": _enterprise_field,
}


@dataclass(frozen=True)
class Value:
    """A stored value: its label, its format (a key of ``FORMATS``), and for a list of records
    (the quarters compared, the leases ending) the columns of its table."""

    label: str | Promise
    fmt: str = "text"
    columns: dict[str, Value] = field(default_factory=dict)

    def format(self, value) -> str:
        try:
            return FORMATS[self.fmt](value)
        except Exception:  # a hand-edited value shows as it is and never breaks a page
            return _plain(value)


_CHANGE = Value(gettext_lazy("Change"), "signed_percent")
_THRESHOLD = Value(gettext_lazy("Fires at a fall of more than"), "percent")

# Every value each rule stores, in the order shown. A rule that stores a key missing here fails
# ``tests/test_economy_evidence.py``: add its label (and format) with the rule.
VALUES: dict[str, dict[str, Value]] = {
    "tax_drop": {
        "quarters": Value(
            gettext_lazy("Quarters compared"),
            columns={
                "months": Value(gettext_lazy("Months")),
                "tax": Value(gettext_lazy("Tax"), "yuan"),
                "last_year": Value(gettext_lazy("Same months a year earlier"), "yuan"),
                "change": _CHANGE,
            },
        ),
        "threshold": _THRESHOLD,
    },
    "lease_expiring": {
        "leases": Value(
            gettext_lazy("Leases ending"),
            columns={
                "contract": Value(gettext_lazy("contract number")),
                "area_m2": Value(gettext_lazy("Area"), "m2"),
                "ends": Value(gettext_lazy("lease end")),
            },
        ),
        "area_m2": Value(gettext_lazy("Area of these leases"), "m2"),
        "share": Value(gettext_lazy("Share of the space it holds"), "percent"),
        "first_end": Value(gettext_lazy("First to end")),
        "months": Value(gettext_lazy("Looking ahead"), "months"),
    },
    "headcount_drop": {
        "measure": Value(gettext_lazy("Measure"), "measure"),
        "then": Value(gettext_lazy("Six months earlier"), "count"),
        "then_month": Value(gettext_lazy("Month of that count")),
        "now": Value(gettext_lazy("Latest"), "count"),
        "now_month": Value(gettext_lazy("Month of the latest count")),
        "change": _CHANGE,
        "threshold": _THRESHOLD,
    },
    "area_reduced": {
        "area_m2": Value(gettext_lazy("Area held now"), "m2"),
        "area_6m_m2": Value(gettext_lazy("Area held 6 months earlier"), "m2"),
        "area_12m_m2": Value(gettext_lazy("Area held 12 months earlier"), "m2"),
        "change": _CHANGE,
    },
    "registration": {
        "changes": Value(
            gettext_lazy("Changes recorded"),
            columns={
                "date": Value(gettext_lazy("date")),
                "field": Value(gettext_lazy("What changed"), "enterprise_field"),
                "before": Value(gettext_lazy("Before")),
                "after": Value(gettext_lazy("After")),
            },
        ),
        "months": Value(gettext_lazy("Looking back"), "months"),
    },
}


def _shown(spec: Value, value) -> dict:
    """``{"text"}``, or ``{"columns", "rows"}`` for a list of records."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(spec.columns)
        keys += [k for k in dict.fromkeys(k for v in value for k in v) if k not in spec.columns]
        columns = [spec.columns.get(k) or Value(str(k)) for k in keys]
        return {
            "columns": [str(c.label) for c in columns],
            "rows": [
                [c.format(v.get(k)) if k in v else "—" for k, c in zip(keys, columns, strict=True)]
                for v in value
            ],
        }
    return {"text": spec.format(value)}


def values_shown(rule, values) -> list[tuple[str, dict]]:
    """The finding's values as (label, shown) in the rule's order; unknown keys last, by key."""
    if not isinstance(values, dict):
        return []
    known = VALUES.get(rule, {}) if isinstance(rule, str) else {}
    keys = [k for k in known if k in values] + [k for k in values if k not in known]
    out = []
    for key in keys:
        spec = known.get(key) or Value(str(key))
        out.append((str(spec.label), _shown(spec, values[key])))
    return out


def findings(evidence) -> list[dict]:
    """The warning's findings to show: rule key, label, sentence and values."""
    rows = []
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict):
            continue
        rule = item.get("rule", "")
        rows.append(
            {
                "rule": rule if isinstance(rule, str) else str(rule),
                "label": rules.rule_label(rule),
                "known": isinstance(rule, str) and rule in rules.RULES,
                "text": rules.sentence(item),
                "values": values_shown(rule, item.get("values")),
            }
        )
    return rows


def api_items(evidence) -> list[dict]:
    """The findings for the API: the rule key and raw values for machines, its label and
    sentence in the request's language for people."""
    out = []
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict):
            continue
        rule = item.get("rule", "")
        values = item.get("values")
        out.append(
            {
                "rule": rule if isinstance(rule, str) else str(rule),
                "rule_label": rules.rule_label(rule),
                "text": rules.sentence(item),
                "values": values if isinstance(values, dict) else {},
            }
        )
    return out
